package io.loomsocket.bench;

import io.loomsocket.protocol.Opcode;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code bench echo}: N connections; closed loop with one message in flight per connection, or
 * with {@code --rate} an open loop at a fixed total rate (several in flight per connection if the
 * server is slow). Message {@code k} of a connection is the 8-letter form of {@code k} followed
 * by bytes of the {@code --payload} source ({@link Payloads.Source}: random letters, or slices of
 * JSON chat or ticker text), so each echo is checked byte for byte against what it must be (after
 * inflating, with {@code --deflate}). Latency is from the send to the end of the echo.
 */
final class EchoBench extends TrafficBench {

    private static final int RING = 4096; // messages in flight per connection, open loop

    private final int size;
    private final int headerLen;
    private final Payloads.Source source;
    private final byte[] pattern;
    private final byte[] header = new byte[8];
    private final Opcode opcode;
    private final boolean openLoop;
    private boolean sending;
    private final RatePacer pacer;
    private int roundRobin;

    EchoBench(BenchOptions options, PrintStream err) throws IOException {
        super(options, err);
        this.size = options.size();
        this.headerLen = Math.min(8, size);
        this.source = Payloads.source(options.payload(), size);
        this.pattern = source.pattern();
        this.opcode = options.text() ? Opcode.TEXT : Opcode.BINARY;
        this.openLoop = options.rate() > 0;
        this.pacer = new RatePacer(options.rate());
    }

    @Override
    String unit() {
        return "msg/s";
    }

    @Override
    boolean open() throws IOException {
        openConnections(options.connections(), 120 * SECOND, s -> {
            if (!options.quiet()) {
                err.println("[echo] connecting: " + openNow + "/" + options.connections() + " open");
            }
        });
        for (Conn c : conns) {
            int ring = openLoop ? RING : 1;
            c.ringSeq = new long[ring];
            c.ringTime = new long[ring];
        }
        return openNow > 0;
    }

    @Override
    void startTraffic(long now) {
        sending = true;
        pacer.start(now);
        if (!openLoop) {
            for (Conn c : conns) {
                if (c.isOpen()) {
                    sendNext(c, now);
                }
            }
        }
    }

    @Override
    void stopTraffic() {
        sending = false;
    }

    @Override
    boolean drained() {
        for (Conn c : conns) {
            if (c.isOpen() && c.ringSize > 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    void finish() {
        for (Conn c : conns) {
            if (c.isOpen() && c.ringSize > 0) {
                error("connection " + c.id + ": " + c.ringSize + " message(s) not echoed within the grace period");
                errors += c.ringSize - 1;
            }
        }
    }

    private void sendNext(Conn c, long now) {
        if (c.ringSize == c.ringSeq.length) {
            error("connection " + c.id + ": " + c.ringSize + " messages in flight; the server is not keeping up");
            return;
        }
        long seq = c.nextSeq++;
        int slot = (c.ringHead + c.ringSize) % c.ringSeq.length;
        c.ringSeq[slot] = seq;
        c.ringTime[slot] = now;
        c.ringSize++;
        for (int i = 0; i < headerLen; i++) {
            header[i] = Payloads.seqLetter(seq, i);
        }
        send(c, opcode, header, 0, headerLen, pattern, source.shift(seq) + headerLen, size - headerLen);
    }

    @Override
    void onMessageStart(Conn c, Opcode opcode) {
        c.bad = opcode != this.opcode || c.ringSize == 0;
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
        long seq = c.ringSeq[c.ringHead];
        int i = 0;
        for (; i < len && pos + i < headerLen; i++) {
            if (buf[off + i] != Payloads.seqLetter(seq, (int) pos + i)) {
                c.bad = true;
                return;
            }
        }
        if (i < len) {
            int from = source.shift(seq) + (int) pos + i;
            if (!Arrays.equals(buf, off + i, off + len, pattern, from, from + len - i)) {
                c.bad = true;
            }
        }
    }

    @Override
    void onMessage(Conn c, Opcode opcode, long length, long now) {
        if (c.ringSize == 0) {
            error("connection " + c.id + ": a message nobody sent");
            return;
        }
        long sentAt = c.ringTime[c.ringHead];
        c.ringHead = (c.ringHead + 1) % c.ringSeq.length;
        c.ringSize--;
        if (c.bad || length != size) {
            error("connection " + c.id + ": echo " + (length != size ? "of " + length + " bytes, not " + size : "differs from what was sent"));
        } else {
            received(now - sentAt, size);
        }
        if (sending && !openLoop) {
            sendNext(c, now);
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
        if (!openLoop || !sending) {
            return;
        }
        long due = pacer.takeDue(now);
        int n = conns.size();
        for (long k = 0; k < due; k++) {
            for (int tries = 0; tries < n; tries++) {
                Conn c = conns.get(roundRobin);
                roundRobin = (roundRobin + 1) % n;
                if (c.isOpen()) {
                    sendNext(c, now);
                    break;
                }
            }
        }
    }
}
