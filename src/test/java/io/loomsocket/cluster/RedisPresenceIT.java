package io.loomsocket.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.client.Backoff;
import io.loomsocket.redis.RedisConnection;
import io.loomsocket.redis.RedisServerProcess;
import io.loomsocket.redis.RedisUri;
import io.loomsocket.redis.RespValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link RedisPresence} on a real redis-server: two nodes in one JVM, each with its own connection. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisPresenceIT {

    static final Duration HEARTBEAT = Duration.ofMillis(500);
    static final Duration WAIT = Duration.ofSeconds(15);

    static RedisServerProcess redis;
    static int prefixes;

    private final List<RedisPresence> started = new ArrayList<>();
    private RedisUri uri;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServerProcess.launch();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeAll() {
        started.forEach(RedisPresence::close);
    }

    RedisPresence node(long id, Changes changes) {
        if (uri == null) {
            uri = redis.uri().withPrefix("presence" + (++prefixes)); // each test its own keys
        }
        RedisPresence p = RedisPresence.start(uri, RedisPresence.Options.defaults().withNodeId(id).withHeartbeat(HEARTBEAT)
                .withReconnect(Backoff.fixed(Duration.ofMillis(100))));
        if (changes != null) {
            p.onChange(changes::add);
        }
        started.add(p);
        return p;
    }

    /** The changes a node was told of, in order. */
    static final class Changes {
        final LinkedBlockingQueue<RedisPresence.Change> queue = new LinkedBlockingQueue<>();

        void add(RedisPresence.Change c) {
            queue.add(c);
        }

        RedisPresence.Change await(String what, Predicate<RedisPresence.Change> p) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            List<RedisPresence.Change> seen = new ArrayList<>();
            while (true) {
                RedisPresence.Change c = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (c == null) {
                    throw new AssertionError("no change with " + what + " within " + WAIT + "; saw " + seen);
                }
                if (p.test(c)) {
                    return c;
                }
                seen.add(c);
            }
        }
    }

    @Test
    void aJoinOnOneNodeIsSeenOnTheOtherAndALeaveToo() throws Exception {
        Changes seenByB = new Changes();
        RedisPresence a = node(0xA, null);
        RedisPresence b = node(0xB, seenByB);
        a.join("alice");
        assertThat(a.online()).containsExactly("alice"); // local at once, no Redis needed
        assertThat(a.local()).containsExactly("alice");

        RedisPresence.Change joined = seenByB.await("alice joined", c -> c.joined().contains("alice"));
        assertThat(joined.online()).containsExactly("alice");
        assertThat(joined.left()).isEmpty();
        assertThat(b.online()).containsExactly("alice");
        assertThat(b.remote()).containsOnlyKeys("000000000000000a");

        b.join("bob");
        assertThat(b.online()).containsExactlyInAnyOrder("alice", "bob");

        a.leave("alice");
        RedisPresence.Change left = seenByB.await("alice left", c -> c.left().contains("alice"));
        assertThat(left.lostWithNode()).as("alice left herself: not lost with her node").isEmpty();
        assertThat(left.online()).containsExactly("bob");
        assertThat(b.online()).containsExactly("bob");
    }

    @Test
    void theKeysInRedis() throws Exception {
        Changes seenByB = new Changes();
        RedisPresence a = node(0x1234, null);
        node(0x5678, seenByB);
        a.join("alice");
        a.join("ann");
        seenByB.await("alice and ann", c -> c.online().containsAll(List.of("alice", "ann")));
        assertThat(a.setKey()).isEqualTo(uri.prefix() + ":presence:0000000000001234");
        assertThat(a.nodesKey()).isEqualTo(uri.prefix() + ":presence:nodes");
        try (RedisConnection admin = redis.connect()) {
            List<String> members = new ArrayList<>();
            for (RespValue v : ((RespValue.Array) admin.callOrThrow("SMEMBERS", a.setKey())).items()) {
                members.add(v.asText());
            }
            assertThat(members).containsExactlyInAnyOrder("alice", "ann");
            long pttl = ((RespValue.Int) admin.callOrThrow("PTTL", a.setKey())).value();
            assertThat(pttl).isPositive().isLessThanOrEqualTo(HEARTBEAT.multipliedBy(3).toMillis());
            RespValue nodes = admin.callOrThrow("ZRANGE", a.nodesKey(), "0", "-1");
            List<String> ids = ((RespValue.Array) nodes).items().stream().map(RespValue::asText).toList();
            assertThat(ids).containsExactlyInAnyOrder("0000000000001234", "0000000000005678");
            RespValue score = admin.callOrThrow("ZSCORE", a.nodesKey(), "0000000000001234");
            assertThat(score).isNotEqualTo(RespValue.NULL);
        }
    }

    @Test
    void aNodeThatDiesWithoutLeavingDisappearsWithinAboutThreeHeartbeats() throws Exception {
        Changes seenByB = new Changes();
        RedisPresence a = node(0xDEAD, null);
        RedisPresence b = node(0xB0B, seenByB);
        a.join("carol");
        a.join("cid");
        b.join("bob");
        seenByB.await("carol", c -> c.online().contains("carol"));

        a.abandon(); // no DEL, no ZREM: as a crash
        long t0 = System.nanoTime();
        RedisPresence.Change lost = seenByB.await("carol lost", c -> c.left().contains("carol"));
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(lost.lostWithNode()).containsExactlyInAnyOrder("carol", "cid");
        assertThat(lost.online()).containsExactly("bob");
        assertThat(b.online()).containsExactly("bob");
        // The set expires 3 heartbeats after A's last one; B notices at its next heartbeat.
        assertThat(took).as("gone within 3 heartbeats and the reader's own, with slack for a busy machine")
                .isLessThan(HEARTBEAT.multipliedBy(3 + 1 + 2));
    }

    @Test
    void aNodeThatClosesIsGoneAtTheNextHeartbeat() throws Exception {
        Changes seenByB = new Changes();
        RedisPresence a = node(0xC105E, null);
        node(0xB, seenByB);
        a.join("dora");
        seenByB.await("dora", c -> c.online().contains("dora"));
        a.close();
        RedisPresence.Change lost = seenByB.await("dora lost", c -> c.left().contains("dora"));
        assertThat(lost.lostWithNode()).containsExactly("dora");
        try (RedisConnection admin = redis.connect()) {
            assertThat(((RespValue.Int) admin.callOrThrow("EXISTS", a.setKey())).value()).isZero();
            assertThat(admin.callOrThrow("ZSCORE", a.nodesKey(), "00000000000c105e")).isEqualTo(RespValue.NULL);
        }
        a.join("ignored"); // closed: no effect, no failure
        assertThat(a.local()).containsExactly("dora");
    }

    @Test
    void aRestartedRedisGetsTheSetsBack() throws Exception {
        Changes seenByB = new Changes();
        RedisPresence a = node(0xAA, null);
        RedisPresence b = node(0xBB, seenByB);
        a.join("erin");
        seenByB.await("erin", c -> c.online().contains("erin"));
        redis.restart(); // empty data set, the same port
        // B may or may not see erin go and come back, depending on who reconnects first; in
        // the end A has rewritten its set, and B's heartbeats after that list erin again.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!(a.failures() > 0 && a.isUp() && redisHas(a.setKey()))) {
            assertThat(System.nanoTime()).as("A back with its set within " + WAIT).isLessThan(deadline);
            seenByB.queue.poll(HEARTBEAT.toMillis() / 5, TimeUnit.MILLISECONDS); // a bounded pace, not a wait for a result
        }
        long beats = b.heartbeats();
        while (b.heartbeats() < beats + 2) {
            assertThat(System.nanoTime()).as("B heartbeating again within " + WAIT).isLessThan(deadline);
            seenByB.queue.poll(HEARTBEAT.toMillis() / 5, TimeUnit.MILLISECONDS);
        }
        assertThat(b.isUp()).isTrue();
        assertThat(b.online()).contains("erin");
    }

    private static boolean redisHas(String key) {
        try (RedisConnection admin = redis.connect()) {
            return ((RespValue.Int) admin.callOrThrow("EXISTS", key)).value() == 1;
        } catch (Exception e) {
            return false;
        }
    }
}
