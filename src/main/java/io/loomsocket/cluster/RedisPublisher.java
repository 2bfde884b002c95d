package io.loomsocket.cluster;

import io.loomsocket.redis.RedisConnection;
import io.loomsocket.redis.RespValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bridge's one publisher connection: a bounded queue of {@code PUBLISH}es, and one virtual
 * thread that sends what is queued as one pipelined batch (one write), then reads the batch's
 * replies in order. Order per channel is the queue's order.
 *
 * <p>Fails fast: while the connection is down {@link #offer} refuses at once (the caller counts
 * it); when it is lost, what was queued or in flight is failed and counted, so memory never
 * grows while Redis is away.
 *
 * <p>Threads: {@link #offer} from any thread (lock-free); the connection, its writes and reads
 * belong to the publisher thread alone.
 */
final class RedisPublisher implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RedisPublisher.class.getName());
    private static final int MAX_BATCH = 1024;
    private static final long MAX_BATCH_BYTES = 4L << 20;

    /** One command: PUBLISH channel body, or a resumable topic's history script. */
    private record Item(Object[] command, long bytes, boolean probe) {}

    private final RedisConnector connector;
    private final BridgeCounters counters;
    private final int maxMessages;
    private final long maxBytes;
    private final long livenessMillis;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Thread thread;
    private volatile boolean up;
    private volatile boolean closed;
    private volatile RedisConnection connection;
    private boolean everUp;

    RedisPublisher(RedisConnector connector, ClusterOptions options, BridgeCounters counters) {
        this.connector = connector;
        this.counters = counters;
        this.maxMessages = options.publishMessages();
        this.maxBytes = options.publishBytes();
        this.livenessMillis = options.livenessTimeout().toMillis();
        this.thread = Thread.ofVirtual().name("loomsocket-redis-publisher").start(this::run);
    }

    boolean isUp() {
        return up;
    }

    /** Queues one PUBLISH; false (not queued) if the connection is down or the queue is full. */
    boolean offer(String channel, byte[] body) {
        return offer(channel, body, false);
    }

    /** Queues the PUBLISH of an envelope, its payload not copied before the write buffer. */
    boolean offer(String channel, Envelope envelope) {
        return offer(new Object[] {"PUBLISH", channel, envelope.asArgument()},
                Envelope.HEADER + envelope.payload().length, false);
    }

    /** Queues a probe: as {@link #offer}, not counted as a publish. */
    boolean offerProbe(String channel, byte[] body) {
        return offer(channel, body, true);
    }

    private boolean offer(String channel, byte[] body, boolean probe) {
        return offer(new Object[] {"PUBLISH", channel, body}, body.length, probe);
    }

    /** Queues any command whose reply is not an error when it worked (a history script's EVAL). */
    boolean offerCommand(Object[] command, long bytes) {
        return offer(command, bytes, false);
    }

    private boolean offer(Object[] command, long bytes, boolean probe) {
        if (!up) {
            return false;
        }
        if (queue.size() >= maxMessages) {
            return false;
        }
        if (queuedBytes.addAndGet(bytes) > maxBytes) {
            queuedBytes.addAndGet(-bytes);
            return false;
        }
        queue.add(new Item(command, bytes, probe));
        return true;
    }

    private void run() {
        try {
            while (!closed) {
                RedisConnection c = connector.openForever("publisher", () -> closed);
                if (c == null) {
                    return;
                }
                connection = c;
                try {
                    // A Redis that stops answering (paused, partitioned) costs one timeout, not a hang.
                    c.setReadTimeout(livenessMillis);
                } catch (IOException e) {
                    c.close();
                    continue;
                }
                if (everUp) {
                    counters.reconnects.increment();
                }
                everUp = true;
                up = true;
                try {
                    pump(c);
                } catch (IOException e) {
                    if (!closed) {
                        LOG.log(System.Logger.Level.WARNING, "redis publisher connection lost: {0}", e.getMessage());
                    }
                } finally {
                    up = false;
                    c.close();
                    failQueued();
                }
            }
        } catch (InterruptedException e) {
            // closing
        } finally {
            up = false;
            failQueued();
        }
    }

    private void pump(RedisConnection c) throws IOException, InterruptedException {
        List<Item> batch = new ArrayList<>(MAX_BATCH);
        while (!closed) {
            Item first = queue.poll(200, TimeUnit.MILLISECONDS);
            if (first == null) {
                continue;
            }
            batch.clear();
            batch.add(first);
            long bytes = first.bytes;
            Item next;
            while (batch.size() < MAX_BATCH && bytes < MAX_BATCH_BYTES && (next = queue.poll()) != null) {
                batch.add(next);
                bytes += next.bytes;
            }
            queuedBytes.addAndGet(-bytes);
            int answered = 0;
            try {
                for (Item item : batch) {
                    c.send(item.command);
                }
                c.flush();
                for (; answered < batch.size(); answered++) {
                    RespValue reply = c.read();
                    if (batch.get(answered).probe) {
                        continue;
                    }
                    if (reply instanceof RespValue.Error e) {
                        counters.publishFailures.increment();
                        LOG.log(System.Logger.Level.WARNING, "{0} refused: {1}", batch.get(answered).command[0], e.message());
                    } else {
                        counters.published.increment();
                    }
                }
            } catch (IOException e) {
                for (int i = answered; i < batch.size(); i++) {
                    if (!batch.get(i).probe) {
                        counters.publishFailures.increment(); // in flight: may or may not have reached Redis
                    }
                }
                throw e;
            }
        }
    }

    private void failQueued() {
        Item item;
        while ((item = queue.poll()) != null) {
            queuedBytes.addAndGet(-item.bytes);
            if (!item.probe) {
                counters.publishFailures.increment();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        RedisConnection c = connection;
        if (c != null) {
            c.close();
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
