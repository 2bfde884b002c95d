package io.loomsocket.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RedisConnection} against a real {@code redis-server} ({@link RedisServerProcess}):
 * the handshake under RESP3 and RESP2, passwords and ACL users, binary payloads up to 16 MiB,
 * a pipeline of 10,000 commands, subscriptions read on one thread while another subscribes, and
 * a server killed under a blocked reader, then restarted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisConnectionIT {

    private static RedisServerProcess redis;

    @BeforeAll
    static void startRedis() throws IOException {
        redis = new RedisServerProcess();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    private static RedisOptions resp(int protocol) {
        return RedisOptions.defaults().withProtocol(protocol);
    }

    private static RespValue bulk(String s) {
        return new RespValue.Bulk(s.getBytes(StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ handshake

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void negotiatesResp3WithHelloAndSetsTheClientName() throws Exception {
        try (RedisConnection c = RedisConnection.open(redis.uri(), RedisOptions.defaults())) {
            assertThat(c.protocol()).isEqualTo(3);
            RespValue.Map hello = (RespValue.Map) c.hello();
            assertThat(hello.get("proto")).isEqualTo(new RespValue.Int(3));
            assertThat(hello.get("server")).isEqualTo(bulk("redis"));
            assertThat(c.callOrThrow("CLIENT", "GETNAME")).isEqualTo(bulk("loomsocket"));
            assertThat(c.call("PING")).isEqualTo(new RespValue.Simple("PONG"));
            c.callOrThrow("HSET", "resp3:h", "f", "v");
            assertThat(c.call("HGETALL", "resp3:h")).as("a map under RESP3")
                    .isEqualTo(new RespValue.Map(List.of(bulk("f"), bulk("v"))));
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void forcedResp2UsesClientSetname() throws Exception {
        try (RedisConnection c = RedisConnection.open(redis.uri(), resp(2).withClientName("resp2-client"))) {
            assertThat(c.protocol()).isEqualTo(2);
            assertThat(c.hello()).isNull();
            assertThat(c.callOrThrow("CLIENT", "GETNAME")).isEqualTo(bulk("resp2-client"));
            c.callOrThrow("HSET", "resp2:h", "f", "v");
            assertThat(c.call("HGETALL", "resp2:h")).as("an array under RESP2")
                    .isEqualTo(new RespValue.Array(List.of(bulk("f"), bulk("v"))));
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void errorRepliesAreValuesAndCallOrThrowNamesTheCommand() throws Exception {
        try (RedisConnection c = RedisConnection.open(redis.uri(), RedisOptions.defaults())) {
            RespValue v = c.call("NOSUCHCOMMAND", "x");
            assertThat(v).isInstanceOf(RespValue.Error.class);
            assertThat(((RespValue.Error) v).code()).isEqualTo("ERR");
            c.callOrThrow("SET", "str", "x");
            assertThatThrownBy(() -> c.callOrThrow("lpush", "str", "y")).isInstanceOf(RedisException.class)
                    .hasMessageContaining("LPUSH").hasMessageContaining("WRONGTYPE")
                    .satisfies(e -> assertThat(((RedisException) e).error().code()).isEqualTo("WRONGTYPE"));
            assertThat(c.call("PING")).as("still usable").isEqualTo(new RespValue.Simple("PONG"));
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void requirepassRightWrongAndNone(int protocol) throws Exception {
        try (RedisServerProcess secured = new RedisServerProcess("--requirepass", "s3cret-pw")) {
            try (RedisConnection c = RedisConnection.open(secured.uri(null, "s3cret-pw"), resp(protocol))) {
                assertThat(c.protocol()).isEqualTo(protocol);
                assertThat(c.callOrThrow("PING")).isEqualTo(new RespValue.Simple("PONG"));
            }
            assertThatThrownBy(() -> RedisConnection.open(secured.uri(null, "wrong-pw"), resp(protocol)))
                    .isInstanceOf(RedisException.class).hasMessageContaining("WRONGPASS")
                    .message().doesNotContain("wrong-pw").doesNotContain("s3cret-pw");
            if (protocol == 3) { // HELLO without AUTH is refused before anything else
                assertThatThrownBy(() -> RedisConnection.open(secured.uri(), resp(3)))
                        .isInstanceOf(RedisException.class).hasMessageContaining("NOAUTH");
            } else { // nothing sent in the handshake: the first command is refused
                try (RedisConnection c = RedisConnection.open(secured.uri(), resp(2).withClientName(null))) {
                    RespValue v = c.call("GET", "k");
                    assertThat(v).isInstanceOf(RespValue.Error.class);
                    assertThat(((RespValue.Error) v).code()).isEqualTo("NOAUTH");
                    assertThatThrownBy(() -> c.callOrThrow("GET", "k")).isInstanceOf(RedisException.class)
                            .hasMessageContaining("GET").hasMessageContaining("NOAUTH");
                }
            }
            assertThatThrownBy(() -> RedisConnection.open(secured.uri(), resp(2)))
                    .as("CLIENT SETNAME unauthenticated").isInstanceOf(RedisException.class).hasMessageContaining("NOAUTH");
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void anAclUserLogsInWithItsPasswordOnly(int protocol) throws Exception {
        try (RedisConnection admin = redis.connect()) {
            admin.callOrThrow("ACL", "SETUSER", "bridge", "on", ">pw", "~*", "&*", "+@all");
        }
        try (RedisConnection c = RedisConnection.open(RedisUri.parse("redis://bridge:pw@127.0.0.1:" + redis.port()),
                resp(protocol))) {
            assertThat(c.callOrThrow("ACL", "WHOAMI")).isEqualTo(bulk("bridge"));
        }
        assertThatThrownBy(() -> RedisConnection.open(redis.uri("bridge", "not-pw"), resp(protocol)))
                .isInstanceOf(RedisException.class).hasMessageContaining("WRONGPASS").hasMessageContaining("bridge")
                .message().doesNotContain("not-pw");
    }

    // ------------------------------------------------------------------ payloads

    private static byte[] payload(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        for (int i = 0; i < size; i += 251) {
            b[i] = (byte) "\r\n\0".charAt((i / 251) % 3);
        }
        if (size >= 2) {
            b[size - 2] = '\r';
            b[size - 1] = '\n';
        }
        return b;
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void binaryPayloadsRoundTripExactly(int protocol) throws Exception {
        try (RedisConnection c = RedisConnection.open(redis.uri(), resp(protocol))) {
            for (int size : new int[] {0, 64 * 1024, 1024 * 1024, 16 * 1024 * 1024}) {
                byte[] value = payload(size, size);
                byte[] key = ("payload:\r\n\0:" + protocol + ":" + size).getBytes(StandardCharsets.UTF_8);
                assertThat(c.callOrThrow("SET", key, value)).isEqualTo(new RespValue.Simple("OK"));
                RespValue got = c.callOrThrow("GET", key);
                assertThat(got).isInstanceOf(RespValue.Bulk.class);
                byte[] bytes = ((RespValue.Bulk) got).bytes();
                assertThat(bytes.length).as("length of %d bytes", size).isEqualTo(size);
                assertThat(Arrays.equals(bytes, value)).as("content of %d bytes", size).isTrue();
                assertThat(c.call("STRLEN", key)).isEqualTo(new RespValue.Int(size));
                c.callOrThrow("DEL", key);
            }
        }
    }

    // ------------------------------------------------------------------ pipelining

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pipelinesTenThousandCommandsInOneFlushAndReadsTheRepliesInOrder(int protocol) throws Exception {
        String counter = "pipeline:counter:" + protocol;
        try (RedisConnection c = RedisConnection.open(redis.uri(), resp(protocol))) {
            c.callOrThrow("DEL", counter);
            for (int i = 0; i < 10_000; i++) {
                if (i % 2 == 0) {
                    c.send("INCR", counter);
                } else {
                    c.send("PUBLISH", "pipeline:nobody", "message " + i);
                }
            }
            c.flush();
            long expectedCount = 0;
            for (int i = 0; i < 10_000; i++) {
                RespValue v = c.read();
                if (i % 2 == 0) {
                    assertThat(v).as("reply %d (INCR)", i).isEqualTo(new RespValue.Int(++expectedCount));
                } else {
                    assertThat(v).as("reply %d (PUBLISH, no subscriber)", i).isEqualTo(new RespValue.Int(0));
                }
            }
            assertThat(c.call("GET", counter)).isEqualTo(bulk("5000"));
        }
    }

    // ------------------------------------------------------------------ subscriptions

    /** Reads values into {@code into} until the connection fails; the failure completes {@code ended}. */
    private static Thread reader(RedisConnection c, BlockingQueue<RespValue> into, CompletableFuture<IOException> ended) {
        return Thread.ofVirtual().name("redis-reader").start(() -> {
            try {
                while (true) {
                    into.add(c.read());
                }
            } catch (IOException e) {
                ended.complete(e);
            } catch (Throwable t) {
                ended.completeExceptionally(t);
            }
        });
    }

    private static RespValue next(BlockingQueue<RespValue> q) throws InterruptedException {
        RespValue v = q.poll(20, TimeUnit.SECONDS);
        assertThat(v).as("a value within 20 s").isNotNull();
        return v;
    }

    private static List<RespValue> items(RespValue v, int protocol) {
        if (protocol == 3) {
            assertThat(v).as("a RESP3 push").isInstanceOf(RespValue.Push.class);
            return ((RespValue.Push) v).items();
        }
        assertThat(v).as("a RESP2 array").isInstanceOf(RespValue.Array.class);
        return ((RespValue.Array) v).items();
    }

    /** Until {@code condition} holds, 10 s at most: for a state no latch can signal (a thread blocked in a read). */
    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within 10 s").isLessThan(deadline);
            LockSupport.parkNanos(1_000_000);
        }
    }

    @ParameterizedTest(name = "RESP{0}")
    @ValueSource(ints = {2, 3})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aReaderThreadGetsMessagesWhileAnotherThreadSubscribes(int protocol) throws Exception {
        try (RedisConnection sub = RedisConnection.open(redis.uri(), resp(protocol));
                RedisConnection pub = RedisConnection.open(redis.uri(), RedisOptions.defaults())) {
            BlockingQueue<RespValue> got = new LinkedBlockingQueue<>();
            CompletableFuture<IOException> ended = new CompletableFuture<>();
            sub.send("SUBSCRIBE", "sub:a:" + protocol);
            sub.flush();
            Thread reader = reader(sub, got, ended);
            assertThat(items(next(got), protocol))
                    .containsExactly(bulk("subscribe"), bulk("sub:a:" + protocol), new RespValue.Int(1));

            // The reader is blocked in read() now, holding the read lock; a writer thread subscribes.
            await(() -> sub.isReading() && got.isEmpty(), "the reader blocked in read()");
            CountDownLatch subscribed = new CountDownLatch(1);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    sub.send("SUBSCRIBE", "sub:b:" + protocol);
                    sub.flush();
                    subscribed.countDown();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(subscribed.await(20, TimeUnit.SECONDS)).as("SUBSCRIBE written while the reader waits").isTrue();
            writer.get(20, TimeUnit.SECONDS);
            assertThat(items(next(got), protocol))
                    .containsExactly(bulk("subscribe"), bulk("sub:b:" + protocol), new RespValue.Int(2));

            byte[] binary = {'\r', '\n', 0, 'x', (byte) 0xff};
            assertThat(pub.callOrThrow("PUBLISH", "sub:a:" + protocol, "hello a")).isEqualTo(new RespValue.Int(1));
            assertThat(pub.callOrThrow("PUBLISH", "sub:b:" + protocol, binary)).isEqualTo(new RespValue.Int(1));
            assertThat(items(next(got), protocol))
                    .containsExactly(bulk("message"), bulk("sub:a:" + protocol), bulk("hello a"));
            assertThat(items(next(got), protocol))
                    .containsExactly(bulk("message"), bulk("sub:b:" + protocol), new RespValue.Bulk(binary));

            sub.close();
            assertThat(ended.get(20, TimeUnit.SECONDS)).as("the reader's read fails when the connection is closed")
                    .isInstanceOf(IOException.class);
            reader.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(reader.isAlive()).isFalse();
            assertThat(sub.isClosed()).isTrue();
            sub.close(); // idempotent
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSubscriberDroppedForItsOutputBufferReadsWhatWasSentThenTheEnd() throws Exception {
        try (RedisServerProcess limited = new RedisServerProcess("--client-output-buffer-limit", "pubsub 64kb 32kb 1");
                RedisConnection sub = RedisConnection.open(limited.uri(), RedisOptions.defaults());
                RedisConnection pub = limited.connect()) {
            sub.send("SUBSCRIBE", "slow");
            sub.flush();
            assertThat(sub.read()).isInstanceOf(RespValue.Push.class);
            byte[] message = payload(64 * 1024, 7);
            int published = 0;
            while (pub.callOrThrow("PUBLISH", "slow", message).equals(new RespValue.Int(1))) {
                published++;
                assertThat(published).as("Redis drops a subscriber that does not read, before 4,000 messages").isLessThan(4_000);
            }
            int received = 0;
            IOException end = null;
            try {
                while (true) {
                    RespValue v = sub.read();
                    assertThat(items(v, 3).get(2)).isEqualTo(new RespValue.Bulk(message));
                    received++;
                }
            } catch (IOException e) {
                end = e;
            }
            assertThat(end).isInstanceOf(java.io.EOFException.class);
            assertThat(received).as("messages before the end").isLessThanOrEqualTo(published);
            assertThat(sub.isClosed()).isTrue();
        }
    }

    // ------------------------------------------------------------------ timeouts and failures

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aReadTimeoutInCallClosesTheConnectionButNotInRead() throws Exception {
        try (RedisConnection c = RedisConnection.open(redis.uri(), RedisOptions.defaults())) {
            c.setReadTimeout(300);
            c.send("SUBSCRIBE", "timeout:ch");
            c.flush();
            assertThat(c.read()).isInstanceOf(RespValue.Push.class);
            assertThatThrownBy(c::read).isInstanceOf(SocketTimeoutException.class);
            assertThat(c.isClosed()).as("read: still open").isFalse();
        }
        try (RedisConnection c = RedisConnection.open(redis.uri(), RedisOptions.defaults())) {
            c.setReadTimeout(300);
            assertThatThrownBy(() -> c.call("BLPOP", "timeout:empty-list", 0)).isInstanceOf(SocketTimeoutException.class);
            assertThat(c.isClosed()).as("call: closed, its reply would be the next one's").isTrue();
            assertThatThrownBy(() -> c.call("PING")).isInstanceOf(IOException.class).hasMessageContaining("closed");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void killingTheServerFailsABlockedReadPromptlyAndARestartedServerServesAgain() throws Exception {
        try (RedisServerProcess victim = new RedisServerProcess()) {
            int port = victim.port();
            RedisConnection blocked = RedisConnection.open(victim.uri(), RedisOptions.defaults());
            RedisConnection idle = RedisConnection.open(victim.uri(), resp(2));
            CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
                try {
                    return new AssertionError("BLPOP returned " + blocked.call("BLPOP", "kill:never", 0));
                } catch (Throwable t) {
                    return t;
                }
            });
            await(blocked::isReading, "BLPOP sent and waiting");
            try (RedisConnection admin = victim.connect()) {
                assertThat(admin.call("CLIENT", "LIST", "TYPE", "normal").asText())
                        .as("the server has BLPOP blocked").contains("cmd=blpop");
            }
            long killed = System.nanoTime();
            victim.kill();
            Throwable t = failure.get(20, TimeUnit.SECONDS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertThat(t).isInstanceOf(IOException.class);
            assertThat(ms).as("the blocked read fails soon after the kill").isLessThan(10_000);
            assertThat(blocked.isClosed()).isTrue();
            assertThatThrownBy(() -> idle.call("PING")).isInstanceOf(IOException.class);
            assertThat(idle.isClosed()).isTrue();
            assertThatThrownBy(() -> RedisConnection.open(victim.uri(), RedisOptions.defaults()))
                    .isInstanceOf(java.net.ConnectException.class).hasMessageContaining("127.0.0.1:" + port);

            victim.restart();
            assertThat(victim.port()).isEqualTo(port);
            try (RedisConnection again = RedisConnection.open(victim.uri(), RedisOptions.defaults())) {
                assertThat(again.call("PING")).isEqualTo(new RespValue.Simple("PONG"));
                assertThat(again.call("GET", "kill:never")).as("an empty data set").isEqualTo(RespValue.NULL);
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theFixturePassesMultiWordArgumentsAsOne() throws Exception {
        try (RedisServerProcess limited = new RedisServerProcess("--client-output-buffer-limit", "pubsub 64kb 32kb 1");
                RedisConnection c = limited.connect()) {
            List<RespValue> reply = new ArrayList<>();
            RespValue v = c.callOrThrow("CONFIG", "GET", "client-output-buffer-limit");
            reply.addAll(((RespValue.Map) v).keysAndValues());
            assertThat(reply.get(1).asText()).contains("pubsub 65536 32768 1");
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theFixtureQuotesTheLogOfAServerThatDoesNotStart() {
        assertThatThrownBy(() -> new RedisServerProcess("--no-such-directive", "x").close())
                .isInstanceOf(IOException.class).hasMessageContaining("redis-server exited")
                .hasMessageContaining("no-such-directive");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void overASocketTransportConnectedByTheCaller() throws Exception {
        try (RedisServerProcess secured = new RedisServerProcess("--requirepass", "over-pw")) {
            java.net.Socket s = new java.net.Socket("127.0.0.1", secured.port());
            try (RedisConnection c = RedisConnection.over(new io.loomsocket.io.SocketTransport(s),
                    secured.uri(null, "over-pw"), RedisOptions.defaults())) {
                assertThat(c.protocol()).isEqualTo(3);
                assertThat(c.call("PING")).isEqualTo(new RespValue.Simple("PONG"));
            }
            assertThat(s.isClosed()).as("close() closes the transport").isTrue();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void connectingToAClosedPortFailsWithItsAddress() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> RedisConnection.open(RedisUri.of("127.0.0.1", port), RedisOptions.defaults()))
                .isInstanceOf(java.net.ConnectException.class).hasMessageContaining("127.0.0.1:" + port);
    }

    @Test
    void aNonRedisPeerFailsTheHandshakeWithAProtocolError() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            CompletableFuture<Void> http = CompletableFuture.runAsync(() -> {
                try (java.net.Socket peer = s.accept()) {
                    peer.getOutputStream().write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    peer.getInputStream().read(new byte[1024]);
                } catch (IOException e) {
                    // the client closed first: fine
                }
            });
            assertThatThrownBy(() -> RedisConnection.open(RedisUri.of("127.0.0.1", s.getLocalPort()), RedisOptions.defaults()))
                    .isInstanceOf(RespProtocolException.class).hasMessageContaining("bad type byte 0x48");
            try {
                http.get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError(e);
            }
        }
    }
}
