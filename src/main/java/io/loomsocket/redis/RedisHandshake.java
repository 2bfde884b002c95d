package io.loomsocket.redis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The login of a new {@link RedisConnection}, on its first replies.
 *
 * <p>RESP3 (the default): {@code HELLO 3 [AUTH user password] [SETNAME name]} in one round trip.
 * A server older than Redis 6 answers {@code ERR unknown command}, and one built without RESP3
 * {@code NOPROTO}: then the RESP2 way follows on the same connection. RESP2 (forced, or as that
 * fall-back): {@code AUTH [user] password} if there is a password, then {@code CLIENT SETNAME}
 * if there is a name. Any other error is a {@link RedisException} with the server's message
 * (e.g. {@code WRONGPASS}, {@code NOAUTH}); the password appears in no message.
 *
 * <p>Threads: runs on the thread that opens the connection, before anyone else has it.
 */
final class RedisHandshake {

    /** What the login settled: the protocol, and the {@code HELLO} reply under RESP3 (null under RESP2). */
    record Result(int protocol, RespValue hello) {
    }

    private RedisHandshake() {
    }

    static Result run(RedisConnection c, RedisUri uri, RedisOptions options) throws IOException {
        String user = uri == null ? null : uri.user();
        String password = uri == null ? null : uri.password();
        if (options.protocol() == 3) {
            List<Object> hello = new ArrayList<>(List.of("HELLO", 3));
            if (password != null) {
                hello.addAll(List.of("AUTH", user == null ? "default" : user, password));
            }
            if (options.clientName() != null) {
                hello.addAll(List.of("SETNAME", options.clientName()));
            }
            RespValue reply = c.call(hello.toArray());
            if (reply instanceof RespValue.Map) {
                return new Result(3, reply);
            }
            if (!(reply instanceof RespValue.Error e)) {
                throw new RedisException("Redis at " + c.peer() + " answered HELLO 3 with " + reply + ", not a map");
            }
            if (!e.message().startsWith("ERR unknown command") && !e.code().equals("NOPROTO")) {
                throw refused(c, "HELLO 3" + (password == null ? "" : " AUTH " + (user == null ? "default" : user) + " ***"), e);
            }
        }
        if (password != null) {
            RespValue reply = user == null ? c.call("AUTH", password) : c.call("AUTH", user, password);
            if (reply instanceof RespValue.Error e) {
                throw refused(c, "AUTH" + (user == null ? "" : " " + user) + " ***", e);
            }
        }
        if (options.clientName() != null) {
            RespValue reply = c.call("CLIENT", "SETNAME", options.clientName());
            if (reply instanceof RespValue.Error e) {
                throw refused(c, "CLIENT SETNAME " + options.clientName(), e);
            }
        }
        return new Result(2, null);
    }

    private static RedisException refused(RedisConnection c, String command, RespValue.Error e) {
        return new RedisException("Redis at " + c.peer() + " refused " + command + ": " + e.message(), e);
    }
}
