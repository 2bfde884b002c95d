package io.loomsocket.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.io.Transport;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link RedisHandshake} and {@link RedisConnection} on a scripted {@link Transport}: the
 * commands each protocol choice sends, the fall-back to RESP2 for a server older than Redis 6
 * (none is installed to test it against), and failures that close the connection.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisHandshakeTest {

    /** Serves {@code replies} as the server's byte stream (then its end) and records what is written. */
    static final class ScriptedTransport implements Transport {
        private final byte[] replies;
        private int pos;
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        boolean closed;

        ScriptedTransport(String replies) {
            this.replies = replies.getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public int read(byte[] buf) {
            if (pos == replies.length) {
                return -1;
            }
            int n = Math.min(buf.length, Math.min(3, replies.length - pos)); // a few bytes at a time
            System.arraycopy(replies, pos, buf, 0, n);
            pos += n;
            return n;
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            written.write(buf, off, len);
        }

        @Override
        public void shutdownOutput() {
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public void setReadTimeout(long millis) {
        }

        @Override
        public SocketAddress remoteAddress() {
            return InetSocketAddress.createUnresolved("scripted", 6379);
        }

        /** The commands written, each as its arguments' text. */
        List<List<String>> commands() throws RespProtocolException {
            RespParser p = new RespParser();
            byte[] w = written.toByteArray();
            p.feed(w, 0, w.length);
            List<List<String>> out = new ArrayList<>();
            for (RespValue v; (v = p.next()) != null; ) {
                out.add(((RespValue.Array) v).items().stream().map(RespValue::asText).toList());
            }
            return out;
        }
    }

    private static final String HELLO_REPLY = "%3\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:7\r\n";
    private static final RedisUri WITH_USER = RedisUri.parse("redis://bridge:pw%40x@h:6379");
    private static final RedisUri PASSWORD_ONLY = RedisUri.parse("redis://:pw@h:6379");

    @Test
    void resp3SendsOneHelloWithAuthAndSetname() throws Exception {
        ScriptedTransport t = new ScriptedTransport(HELLO_REPLY + "+PONG\r\n");
        RedisConnection c = RedisConnection.over(t, WITH_USER, RedisOptions.defaults());
        assertThat(c.protocol()).isEqualTo(3);
        assertThat(((RespValue.Map) c.hello()).get("id")).isEqualTo(new RespValue.Int(7));
        assertThat(c.call("PING")).isEqualTo(new RespValue.Simple("PONG"));
        assertThat(t.commands()).containsExactly(
                List.of("HELLO", "3", "AUTH", "bridge", "pw@x", "SETNAME", "loomsocket"), List.of("PING"));
    }

    @Test
    void resp3WithAPasswordOnlyAuthenticatesTheDefaultUser() throws Exception {
        ScriptedTransport t = new ScriptedTransport(HELLO_REPLY);
        RedisConnection.over(t, PASSWORD_ONLY, RedisOptions.defaults().withClientName(null));
        assertThat(t.commands()).containsExactly(List.of("HELLO", "3", "AUTH", "default", "pw"));
    }

    @Test
    void resp3WithoutCredentials() throws Exception {
        ScriptedTransport t = new ScriptedTransport(HELLO_REPLY);
        RedisConnection.over(t, RedisOptions.defaults());
        assertThat(t.commands()).containsExactly(List.of("HELLO", "3", "SETNAME", "loomsocket"));
    }

    @Test
    void aServerOlderThanRedis6FallsBackToAuthAndClientSetnameUnderResp2() throws Exception {
        ScriptedTransport t = new ScriptedTransport(
                "-ERR unknown command `HELLO`, with args beginning with: `3`, `AUTH`, \r\n+OK\r\n+OK\r\n");
        RedisConnection c = RedisConnection.over(t, WITH_USER, RedisOptions.defaults());
        assertThat(c.protocol()).isEqualTo(2);
        assertThat(c.hello()).isNull();
        assertThat(t.commands()).containsExactly(
                List.of("HELLO", "3", "AUTH", "bridge", "pw@x", "SETNAME", "loomsocket"),
                List.of("AUTH", "bridge", "pw@x"), List.of("CLIENT", "SETNAME", "loomsocket"));
    }

    @Test
    void noprotoFallsBackToo() throws Exception {
        ScriptedTransport t = new ScriptedTransport("-NOPROTO unsupported protocol version\r\n+OK\r\n");
        RedisConnection c = RedisConnection.over(t, PASSWORD_ONLY, RedisOptions.defaults().withClientName(null));
        assertThat(c.protocol()).isEqualTo(2);
        assertThat(t.commands()).containsExactly(List.of("HELLO", "3", "AUTH", "default", "pw"), List.of("AUTH", "pw"));
    }

    @Test
    void resp2ForcedSendsAuthThenClientSetname() throws Exception {
        ScriptedTransport t = new ScriptedTransport("+OK\r\n+OK\r\n");
        RedisConnection c = RedisConnection.over(t, PASSWORD_ONLY, RedisOptions.defaults().withProtocol(2));
        assertThat(c.protocol()).isEqualTo(2);
        assertThat(t.commands()).containsExactly(List.of("AUTH", "pw"), List.of("CLIENT", "SETNAME", "loomsocket"));
    }

    @Test
    void resp2ForcedWithNothingToSendSendsNothing() throws Exception {
        ScriptedTransport t = new ScriptedTransport("");
        RedisConnection c = RedisConnection.over(t, RedisOptions.defaults().withProtocol(2).withClientName(null));
        assertThat(c.protocol()).isEqualTo(2);
        assertThat(t.commands()).isEmpty();
    }

    @Test
    void aRefusedLoginNamesTheServersErrorNeverThePasswordAndCloses() {
        ScriptedTransport t = new ScriptedTransport("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
        assertThatThrownBy(() -> RedisConnection.over(t, WITH_USER, RedisOptions.defaults()))
                .isInstanceOf(RedisException.class)
                .hasMessageContaining("WRONGPASS invalid username-password pair").hasMessageContaining("bridge")
                .satisfies(e -> assertThat(((RedisException) e).error().code()).isEqualTo("WRONGPASS"))
                .message().doesNotContain("pw@x").doesNotContain("pw%40x");
        assertThat(t.closed).isTrue();
    }

    @Test
    void aRefusedResp2AuthNamesTheServersErrorNeverThePassword() {
        ScriptedTransport t = new ScriptedTransport("-WRONGPASS invalid username-password pair\r\n");
        assertThatThrownBy(() -> RedisConnection.over(t, PASSWORD_ONLY, RedisOptions.defaults().withProtocol(2)))
                .isInstanceOf(RedisException.class).hasMessageContaining("AUTH ***: WRONGPASS");
        assertThat(t.closed).isTrue();
    }

    @Test
    void aHelloReplyThatIsNotAMapFails() {
        ScriptedTransport t = new ScriptedTransport("+OK\r\n");
        assertThatThrownBy(() -> RedisConnection.over(t, RedisOptions.defaults()))
                .isInstanceOf(RedisException.class).hasMessageContaining("not a map");
        assertThat(t.closed).isTrue();
    }

    @Test
    void garbageFromThePeerClosesTheConnection() throws Exception {
        ScriptedTransport t = new ScriptedTransport(HELLO_REPLY + "+OK\r\n\u0007oops\r\n");
        RedisConnection c = RedisConnection.over(t, RedisOptions.defaults());
        assertThat(c.call("SET", "k", "v")).isEqualTo(new RespValue.Simple("OK"));
        assertThatThrownBy(c::read).isInstanceOf(RespProtocolException.class).hasMessageContaining("bad type byte 0x07");
        assertThat(c.isClosed()).isTrue();
        assertThat(t.closed).isTrue();
    }

    @Test
    void theEndOfTheStreamIsAnEofExceptionAndClosesTheConnection() throws Exception {
        ScriptedTransport t = new ScriptedTransport(HELLO_REPLY + "$10\r\nhalf");
        RedisConnection c = RedisConnection.over(t, RedisOptions.defaults());
        assertThatThrownBy(() -> c.call("GET", "k")).isInstanceOf(EOFException.class).hasMessageContaining("closed the connection");
        assertThat(c.isClosed()).isTrue();
        assertThatThrownBy(() -> c.send("PING")).isInstanceOf(IOException.class).hasMessageContaining("is closed");
        c.close(); // idempotent, never throws
    }

    @Test
    void theBulkLimitOfTheOptionsApplies() throws Exception {
        ScriptedTransport t = new ScriptedTransport(HELLO_REPLY + "$11\r\nhello world\r\n");
        RedisConnection c = RedisConnection.over(t, RedisOptions.defaults().withMaxBulkBytes(10));
        assertThatThrownBy(() -> c.call("GET", "k")).isInstanceOf(RespProtocolException.class)
                .hasMessageContaining("bulk too large: 11 bytes (max 10)");
        assertThat(c.isClosed()).isTrue();
    }

    @Test
    void optionsRefuseWhatRedisWouldRefuse() {
        assertThatThrownBy(() -> RedisOptions.defaults().withProtocol(4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("protocol must be 2 or 3");
        assertThatThrownBy(() -> RedisOptions.defaults().withClientName("two words"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without spaces");
        assertThatThrownBy(() -> RedisOptions.defaults().withConnectTimeout(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(RedisOptions.defaults()).isEqualTo(new RedisOptions(3, "loomsocket", java.time.Duration.ofSeconds(5),
                512 * 1024 * 1024));
    }
}
