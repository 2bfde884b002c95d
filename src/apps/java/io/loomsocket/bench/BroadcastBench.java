package io.loomsocket.bench;

import io.loomsocket.protocol.Opcode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code bench broadcast}: N subscribers and one publisher on the URL's path. On
 * {@code /broadcast} the server sends each message to every other client, so the publisher gets
 * none back; on {@code /broadcast-all} to every client, so the publisher's copies are deliveries
 * too.
 *
 * <p>Payload: 8-byte sequence number, 8-byte {@link System#nanoTime()} at the send, then the
 * bytes of the {@code --payload} source ({@link Payloads.Source}) at the sequence's shift. Before the run the publisher sends
 * probes (sequence numbers with the top bit set) until every receiver has seen one, so no
 * subscriber joins late. Closed loop: at most {@code --window} messages not yet delivered to
 * every receiver; {@code --rate}: a fixed rate. Each receiver expects the sequence numbers in
 * order: a gap counts as lost, a repeat as duplicate, a wrong filler as corrupt; all are errors.
 *
 * <p>{@code --also-url}: the subscribers are spread round-robin over {@code --url} and the other
 * nodes' URLs ({@link BenchOptions#groupOf}); the publisher is on {@code --url}. The probes then
 * reach the other nodes' subscribers through the cluster too, and the RESULT line ends with
 * each URL group's subscribers, deliveries and latency percentiles ({@code g0_...} is
 * {@code --url}, the same node as the publisher) and {@code added_p99_us}: the highest other
 * group's p99 minus group 0's.
 */
final class BroadcastBench extends TrafficBench {

    /** Sequence number and timestamp. */
    static final int HEADER = 16;
    private static final long PROBE = Long.MIN_VALUE;
    private static final long GIVE_UP = 2 * SECOND;

    private final int size;
    private final Payloads.Source source;
    private final byte[] pattern;
    private final byte[] header = new byte[HEADER];
    private final boolean publisherReceives;
    private final boolean openLoop;
    private final int capacity;
    private final int[] deliveredTo;
    private final long[] publishedAt;
    private Conn publisher;
    private int receivers;
    private long published;
    private long oldest; // lowest sequence not yet delivered to every receiver (nor given up)
    private boolean sending;
    private final RatePacer pacer;
    private final int groups;
    private final Histogram[] groupLatency;
    private final long[] groupMessages;
    long lost;
    long duplicates;
    long corrupt;

    BroadcastBench(BenchOptions options, PrintStream err) throws IOException {
        super(options, err);
        this.size = options.size();
        this.source = Payloads.source(options.payload(), size);
        this.pattern = source.pattern();
        String path = options.url().getPath() == null ? "" : options.url().getPath();
        this.publisherReceives = path.startsWith("/broadcast-all");
        this.openLoop = options.rate() > 0;
        this.pacer = new RatePacer(options.rate());
        int cap = Integer.highestOneBit(Math.max(1024, options.window() * 4) - 1) << 1;
        this.capacity = openLoop ? 1 << 16 : cap;
        this.deliveredTo = new int[capacity];
        this.publishedAt = new long[capacity];
        this.groups = options.urls().size();
        this.groupLatency = new Histogram[groups];
        for (int g = 0; g < groups; g++) {
            groupLatency[g] = new Histogram();
        }
        this.groupMessages = new long[groups];
    }

    /** Subscribers round-robin over the URLs; the publisher, added after them, on the first. */
    @Override
    int groupFor(int id) {
        return id < options.connections() ? BenchOptions.groupOf(id, groups) : 0;
    }

    @Override
    String unit() {
        return "deliveries/s";
    }

    @Override
    boolean open() throws IOException {
        openConnections(options.connections(), 120 * SECOND, s -> {
            if (!options.quiet()) {
                err.println("[broadcast] connecting: " + openNow + "/" + options.connections() + " subscribers open");
            }
        });
        publisher = openConnections(1, 30 * SECOND, null).get(0);
        if (!publisher.isOpen()) {
            return false;
        }
        receivers = openNow - (publisherReceives ? 0 : 1);
        if (receivers <= 0) {
            return false;
        }
        // Probes until every receiver is known to be subscribed.
        long deadline = System.nanoTime() + 15 * SECOND;
        long probe = PROBE;
        while (System.nanoTime() < deadline && !allSynced()) {
            publish(probe++, System.nanoTime());
            runUntil(System.nanoTime() + SECOND / 20, this::allSynced, null);
        }
        if (!allSynced()) {
            error("not every subscriber received the probe messages within 15 s" + unsyncedByGroup());
            return false;
        }
        receivers = 0;
        for (Conn c : conns) {
            if (c.isOpen() && (c != publisher || publisherReceives)) {
                receivers++;
            }
        }
        return publisher.isOpen() && receivers > 0;
    }

    /** With several URLs: how many receivers of each group saw no probe, e.g. " (without one: g0=0 g1=500)". */
    private String unsyncedByGroup() {
        if (groups < 2) {
            return "";
        }
        int[] n = new int[groups];
        for (Conn c : conns) {
            if (c.isOpen() && (c != publisher || publisherReceives) && !c.synced) {
                n[c.group]++;
            }
        }
        StringBuilder sb = new StringBuilder(" (without one:");
        for (int g = 0; g < groups; g++) {
            sb.append(" g").append(g).append('=').append(n[g]);
        }
        return sb.append(')').toString();
    }

    private boolean allSynced() {
        for (Conn c : conns) {
            if (c.isOpen() && (c != publisher || publisherReceives) && !c.synced) {
                return false;
            }
        }
        return true;
    }

    @Override
    void startTraffic(long now) {
        sending = true;
        pacer.start(now);
        if (!openLoop) {
            fillWindow(now);
        }
    }

    @Override
    void stopTraffic() {
        sending = false;
    }

    @Override
    boolean drained() {
        return oldest == published;
    }

    @Override
    void finish() {
        for (Conn c : conns) {
            if (c.isOpen() && (c != publisher || publisherReceives) && c.expectSeq < published) {
                lost += published - c.expectSeq;
                c.expectSeq = published;
            }
        }
        if (lost + duplicates + corrupt > 0) {
            error("lost=" + lost + " duplicates=" + duplicates + " corrupt=" + corrupt);
            errors += lost + duplicates + corrupt - 1;
        }
    }

    @Override
    void addFields(ResultLine line) {
        line.put("published", published).put("subscribers", options.connections());
    }

    @Override
    void addTrailingFields(ResultLine line) {
        if (groups < 2) {
            return; // one node: the RESULT line as it always was
        }
        line.put("groups", groups);
        long addedP99 = Long.MIN_VALUE;
        for (int g = 0; g < groups; g++) {
            Histogram h = groupLatency[g];
            String p = "g" + g + "_";
            line.put(p + "url", options.urls().get(g).toString())
                    .put(p + "subscribers", BenchOptions.subscribersIn(g, options.connections(), groups))
                    .put(p + "messages", groupMessages[g])
                    .put(p + "p50_us", micros(h, h.percentile(50)))
                    .put(p + "p99_us", micros(h, h.percentile(99)))
                    .put(p + "p999_us", micros(h, h.percentile(99.9)));
            if (g > 0 && h.count() > 0) {
                addedP99 = Math.max(addedP99, h.percentile(99));
            }
        }
        line.put("added_p99_us", addedP99 == Long.MIN_VALUE || groupLatency[0].count() == 0 ? ResultLine.NA
                : Long.toString(Math.round((addedP99 - groupLatency[0].percentile(99)) / 1000.0)));
    }

    private void publish(long seq, long now) {
        Payloads.putLong(header, 0, seq);
        Payloads.putLong(header, 8, now);
        send(publisher, Opcode.BINARY, header, 0, HEADER, pattern, source.shift(seq), size - HEADER);
    }

    private void publishNext(long now) {
        if (published - oldest >= capacity) {
            oldest++; // the ring is full: stop tracking the oldest (its receivers count it lost if it never comes)
        }
        int slot = (int) (published & (capacity - 1));
        deliveredTo[slot] = 0;
        publishedAt[slot] = now;
        publish(published++, now);
    }

    private void fillWindow(long now) {
        while (sending && publisher.isOpen() && published - oldest < options.window()) {
            publishNext(now);
        }
    }

    @Override
    void onMessageStart(Conn c, Opcode opcode) {
        c.bad = opcode != Opcode.BINARY || (c == publisher && !publisherReceives);
    }

    @Override
    void onData(Conn c, byte[] buf, int off, int len, long pos) {
        if (c.bad) {
            return;
        }
        if (pos + len > size) {
            c.bad = true;
            return;
        }
        int i = 0;
        for (; i < len && pos + i < HEADER; i++) {
            c.header[(int) pos + i] = buf[off + i];
        }
        if (i < len) {
            long seq = Payloads.getLong(c.header, 0);
            int from = source.shift(seq) + (int) pos + i - HEADER;
            if (!Arrays.equals(buf, off + i, off + len, pattern, from, from + len - i)) {
                c.bad = true;
            }
        }
    }

    @Override
    void onMessage(Conn c, Opcode opcode, long length, long now) {
        if (c.bad || length != size) {
            corrupt++;
            return;
        }
        long seq = Payloads.getLong(c.header, 0);
        if (seq < 0) {
            c.synced = true; // a probe
            return;
        }
        if (seq >= published) {
            corrupt++;
            return;
        }
        if (seq < c.expectSeq) {
            duplicates++;
            return;
        }
        if (seq > c.expectSeq) {
            lost += seq - c.expectSeq;
        }
        c.expectSeq = seq + 1;
        long latencyNanos = now - Payloads.getLong(c.header, 8);
        received(latencyNanos, size);
        if (measuring) {
            groupLatency[c.group].record(latencyNanos);
            groupMessages[c.group]++;
        }
        if (seq >= oldest) {
            int slot = (int) (seq & (capacity - 1));
            deliveredTo[slot]++;
            if (seq == oldest) {
                advance(now);
            }
        }
    }

    private void advance(long now) {
        while (oldest < published && deliveredTo[(int) (oldest & (capacity - 1))] >= receivers) {
            oldest++;
        }
        if (!openLoop) {
            fillWindow(now);
        }
    }

    @Override
    void onClosed(Conn c, boolean unexpected) {
        if (c != publisher || publisherReceives) {
            receivers--;
            advance(System.nanoTime());
        }
    }

    @Override
    long nextDeadline(long now) {
        if (!openLoop || !sending) {
            return Long.MAX_VALUE;
        }
        return pacer.nextDeadline();
    }

    @Override
    void tick(long now) {
        if (oldest < published && now - publishedAt[(int) (oldest & (capacity - 1))] > GIVE_UP) {
            oldest++; // some receiver never got it: stop waiting (counted as lost at the end)
            advance(now);
        }
        if (!openLoop || !sending || !publisher.isOpen()) {
            return;
        }
        long due = pacer.takeDue(now);
        for (long k = 0; k < due; k++) {
            publishNext(now);
        }
    }
}
