package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.cli.Main;
import io.loomsocket.io.Eventually;
import io.loomsocket.redis.RedisServerProcess;
import io.loomsocket.server.WebSocketServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three nodes in this JVM and a fourth in a separate process (the {@code broadcast --relay
 * --redis} command as users run it) on one real redis-server: every node publishes, every
 * subscriber on every node gets every message exactly once, in per-origin order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterProcessIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String TOPIC = "/news"; // the command's relay mode: the path is the topic

    @Test
    void threeNodesHereAndOneInAnotherProcess() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.launch()) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = codeSource(WebSocketServer.class) + File.pathSeparator + codeSource(Main.class);
            Process process = new ProcessBuilder(java, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-cp", classPath,
                    Main.class.getName(), "broadcast", "--relay", "--host", "127.0.0.1", "--port", "0",
                    "--redis", "redis://127.0.0.1:" + redis.port()).redirectErrorStream(true).start();
            List<AutoCloseable> closeables = new ArrayList<>();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                String banner = CompletableFuture.supplyAsync(() -> {
                    try {
                        return out.readLine();
                    } catch (Exception e) {
                        return e.toString();
                    }
                }).get(30, TimeUnit.SECONDS);
                Matcher m = Pattern.compile("broadcast server listening on (ws://\\S+)/ .*\\[clustered via redis .*").matcher(String.valueOf(banner));
                assertThat(m.matches()).as("banner: %s", banner).isTrue();
                Thread.ofVirtual().start(() -> out.lines().forEach(l -> {})); // keep its output flowing
                URI processUrl = URI.create(m.group(1) + TOPIC);

                List<ClusterNode> nodes = new ArrayList<>();
                List<Subscriber> subscribers = new ArrayList<>();
                for (String name : List.of("a", "b", "c")) {
                    ClusterNode n = new ClusterNode(name, redis.uri(), ClusterNode.fastOptions());
                    closeables.add(n);
                    nodes.add(n);
                    Subscriber s = Subscriber.join(n, TOPIC);
                    closeables.add(s);
                    subscribers.add(s);
                }
                Subscriber remote = Subscriber.connect(processUrl); // a member on the process node
                closeables.add(remote);
                Subscriber publisherThere = Subscriber.connect(processUrl); // publishes there, and is a member too
                closeables.add(publisherThere);
                ClusterIT.awaitSubscribers(redis, nodes.get(0).bridge, TOPIC, 4);

                int perNode = 300;
                List<Thread> publishers = new ArrayList<>();
                for (ClusterNode n : nodes) {
                    publishers.add(Thread.ofVirtual().start(() -> {
                        for (int i = 0; i < perNode; i++) {
                            n.registry.broadcast(TOPIC, n.name + ":" + i);
                        }
                    }));
                }
                for (int i = 0; i < perNode; i++) {
                    publisherThere.ws.sendText("p:" + i);
                }
                for (Thread t : publishers) {
                    t.join();
                }
                int expected = perNode * 4;
                List<Subscriber> all = new ArrayList<>(subscribers);
                all.add(remote);
                all.add(publisherThere); // relay mode sends the sender its own messages too
                for (Subscriber s : all) {
                    Eventually.await("a subscriber got " + expected, WAIT, s::count, c -> c >= expected);
                }
                for (Subscriber s : all) {
                    assertExactlyOnceInOrder(s.texts(), List.of("a", "b", "c", "p"), perNode);
                }
                for (ClusterNode n : nodes) {
                    BridgeStats st = n.bridge.stats();
                    assertThat(st.received()).as(n.toString()).isEqualTo(perNode * 3L);
                    assertThat(st.sequenceGaps() + st.duplicates() + st.inboundDropped() + st.publishFailures()).as(n.toString()).isZero();
                }
            } finally {
                for (AutoCloseable c : closeables.reversed()) {
                    c.close();
                }
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            assertThat(process.exitValue()).as("the broadcast process stopped on SIGTERM").isIn(0, 143);
        }
    }

    static void assertExactlyOnceInOrder(List<String> texts, List<String> origins, int perOrigin) {
        java.util.Map<String, Integer> next = new java.util.HashMap<>();
        origins.forEach(o -> next.put(o, 0));
        for (String t : texts) {
            String[] p = t.split(":", 2);
            assertThat(next).as("origin of %s", t).containsKey(p[0]);
            assertThat(Integer.parseInt(p[1])).as("next from %s", p[0]).isEqualTo(next.get(p[0]));
            next.merge(p[0], 1, Integer::sum);
        }
        origins.forEach(o -> assertThat(next.get(o)).as("messages from %s", o).isEqualTo(perOrigin));
    }

    private static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
