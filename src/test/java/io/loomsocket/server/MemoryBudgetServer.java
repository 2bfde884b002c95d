package io.loomsocket.server;

import io.loomsocket.WebSocket;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.protocol.Message;

/**
 * The child JVM of {@link MemoryBudgetIT}, run with a small heap ({@code -Xmx128m
 * -XX:+ExitOnOutOfMemoryError}, so an OutOfMemoryError ends the process): a server on 127.0.0.1
 * with the default memory budgets and a 1 MiB message limit, which prints {@code PORT <n>} on
 * stdout once it serves and runs until its stdin ends. Routes:
 *
 * <ul>
 *   <li>{@code /raw} and {@code /echo}: echo, text and binary;
 *   <li>{@code /sub}: joins the broadcast topic and reads (and ignores) what it is sent;
 *   <li>{@code /pub}: each binary message is broadcast to {@code /sub}'s topic; the text
 *       {@code done} is answered {@code done} once the messages before it were broadcast;
 *   <li>{@code /stats}: {@code stats} is answered with one line of {@code key=value} pairs (the
 *       metrics of the budgets, open connections, subscribers, the highest heap use seen since the
 *       last {@code reset}, the highest sum of queued bytes right after a broadcast);
 *       {@code gc} the same after {@code System.gc()}, with
 *       {@code usedAfterGc}; {@code reset} resets the highest heap use seen.
 * </ul>
 */
public final class MemoryBudgetServer {

    static final String TOPIC = "t";
    private static final BroadcastRegistry REGISTRY = new BroadcastRegistry();
    private static volatile long peakUsed;
    private static volatile long maxQueuedAfterBroadcast;
    private static WebSocketServer server;

    private MemoryBudgetServer() {}

    /** Kept: a logger only weakly referenced loses its level. */
    private static final java.util.logging.Logger CONNECTIONS = java.util.logging.Logger.getLogger("io.loomsocket.connections");

    public static void main(String[] args) throws Exception {
        CONNECTIONS.setLevel(java.util.logging.Level.WARNING); // thousands of opens and closes: not the test's concern
        server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .maxMessageSize(1 << 20)
                .route("/raw", MemoryBudgetServer::echo)
                .route("/echo", MemoryBudgetServer::echo)
                .route("/sub", ws -> {
                    REGISTRY.subscribe(TOPIC, ws);
                    for (Message ignored : ws) {
                        // what a subscriber sends is not the test's concern
                    }
                })
                .route("/pub", ws -> {
                    for (Message m : ws) {
                        if (m instanceof Message.Binary b) {
                            REGISTRY.broadcast(TOPIC, b.data());
                            // The queues only grow in a broadcast: their sum right after one is its peak.
                            maxQueuedAfterBroadcast = Math.max(maxQueuedAfterBroadcast, server.metrics().queuedBytes());
                        } else if (m instanceof Message.Text t && t.text().equals("done")) {
                            ws.sendText("done");
                        }
                    }
                })
                .route("/stats", ws -> {
                    for (Message m : ws) {
                        if (m instanceof Message.Text t) {
                            ws.sendText(answer(t.text()));
                        }
                    }
                })
                .start();
        Thread sampler = new Thread(() -> {
            Runtime rt = Runtime.getRuntime();
            while (true) {
                long used = rt.totalMemory() - rt.freeMemory();
                if (used > peakUsed) {
                    peakUsed = used;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the test closes our stdin (or kills us)
        }
        server.stop(java.time.Duration.ofSeconds(1));
    }

    private static void echo(WebSocket ws) throws Exception {
        for (Message m : ws) {
            switch (m) {
                case Message.Text t -> ws.sendText(t.text());
                case Message.Binary b -> ws.sendBinary(b.data());
                default -> {}
            }
        }
    }

    private static String answer(String command) {
        Runtime rt = Runtime.getRuntime();
        StringBuilder s = new StringBuilder();
        switch (command) {
            case "gc" -> {
                System.gc();
                System.gc();
                s.append("usedAfterGc=").append(rt.totalMemory() - rt.freeMemory()).append(' ');
            }
            case "reset" -> {
                peakUsed = 0;
                maxQueuedAfterBroadcast = 0;
            }
            default -> {}
        }
        MetricsSnapshot m = server.metrics();
        s.append("maxHeap=").append(rt.maxMemory())
                .append(" peakUsed=").append(peakUsed)
                .append(" openConnections=").append(m.openConnections())
                .append(" inboundBudget=").append(m.inboundBudget())
                .append(" inboundBuffered=").append(m.inboundBuffered())
                .append(" outboundBudget=").append(m.outboundBudget())
                .append(" queuedBytes=").append(m.queuedBytes())
                .append(" budgetPauses=").append(m.budgetPauses())
                .append(" budgetCloses=").append(m.budgetCloses())
                .append(" slowConsumerCloses=").append(m.slowConsumerCloses())
                .append(" registrySlowClosed=").append(REGISTRY.slowConsumerClosedCount())
                .append(" maxQueuedAfterBroadcast=").append(maxQueuedAfterBroadcast)
                .append(" registryRefused=").append(REGISTRY.refusedCount())
                .append(" registryDropped=").append(REGISTRY.droppedCount())
                .append(" subscribers=").append(REGISTRY.size(TOPIC));
        return s.toString();
    }
}
