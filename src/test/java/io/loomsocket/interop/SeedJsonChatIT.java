package io.loomsocket.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.loomsocket.examples.Json;
import io.loomsocket.examples.JsonChatApp;
import io.loomsocket.server.WebSocketServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The JSON chat ({@link JsonChatApp}, seed 001) against an independent client: Python's
 * {@code websockets} 10.4 (Debian's {@code python3-websockets} on {@code /usr/bin/python3}), the
 * library the seed is written for. The scripts in {@code src/test/seed-clients}
 * ({@code json_chat_*.py}, helpers in {@code seed_json_chat_common.py}) run several clients
 * through register, send, unregister, a closing handshake and a dropped connection, and compare
 * every message with what Python's own {@code json.dumps} writes for the seed's dicts, so the
 * wire format is checked by the seed's serializer; they exit 1 on the first mismatch. Here, the
 * whole transcript they print (what each client sent and received, in order, and the texts of
 * our errors) is compared line by line.
 *
 * <p>Never skips: without the Python peer it fails, saying what to install.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SeedJsonChatIT {

    private static final Path PROJECT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Path CLIENTS = PROJECT.resolve("src/test/seed-clients");
    private static final String PYTHON = System.getenv().getOrDefault("SEED_CLIENTS_PYTHON", "/usr/bin/python3");
    private static final Duration RUN = Duration.ofSeconds(90);

    @BeforeAll
    static void pythonWebsockets() throws Exception {
        String install = "install Debian's python3-websockets (apt-get install -y python3-websockets) for " + PYTHON
                + ", or point SEED_CLIENTS_PYTHON at a python3 with websockets 10";
        if (!Files.isExecutable(Path.of(PYTHON))) {
            fail("no " + PYTHON + ": " + install);
        }
        Process p = new ProcessBuilder(PYTHON, "-c", "import websockets; print(websockets.__version__)")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(PYTHON + " cannot import websockets (" + out + "): " + install);
        }
    }

    /** The seed's ServerWs: four clients on one room (A, B and C; D drops its TCP connection). */
    @Test
    void serverWsAsPythonWebsocketsClientsSeeIt() throws Exception {
        JsonChatApp app = new JsonChatApp(JsonChatApp.Variant.SERVER_WS);
        assertThat(transcript(app, "json_chat_client.py", "/chat")).containsExactlyElementsOf(SERVER_WS.lines().toList());
        assertThat(app.userList()).as("everyone unregistered or left").isEmpty();
    }

    /** The seed's WS_Server ({@code json-chat --variant ws-server}): two clients, each answered alone. */
    @Test
    void wsServerAsPythonWebsocketsClientsSeeIt() throws Exception {
        JsonChatApp app = new JsonChatApp(JsonChatApp.Variant.WS_SERVER);
        assertThat(transcript(app, "json_chat_ws_server_client.py", "/")).containsExactlyElementsOf(WS_SERVER.lines().toList());
    }

    /** Serves {@code app} on 127.0.0.1, a free port; runs {@code script} against it; returns its output lines up to DONE. */
    private static List<String> transcript(JsonChatApp app, String script, String path) throws Exception {
        WebSocketServer server = app.configure(WebSocketServer.builder()).host("127.0.0.1").port(0)
                .closeTimeout(Duration.ofSeconds(2)).start();
        try (PeerProcess peer = PeerProcess.start(script,
                List.of(PYTHON, CLIENTS.resolve(script).toString(), Json.write(Map.of("url", server.url() + path))), CLIENTS)) {
            int status = peer.awaitExit(RUN);
            assertThat(status).as("%s's exit status\n%s", script, peer.output()).isZero();
            List<String> lines = new ArrayList<>();
            for (String line = ""; !line.equals("DONE"); ) {
                line = peer.awaitLine("", Duration.ofSeconds(5)); // every line, in order; fails at the end without DONE
                lines.add(line);
            }
            return lines;
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    // What the clients sent and received. The server's texts are as the seed's json.dumps writes
    // them (", ", ": ", every non-ASCII character escaped), which the script checked already;
    // the error texts are ours (the seed crashes or closes there).

    private static final String SERVER_WS = """
            OPEN A
            RECV A {"type": "handshake"}
            OPEN B
            RECV B {"type": "handshake"}
            OPEN C
            RECV C {"type": "handshake"}
            SENT A {"type": "register", "uuid": "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab", "content": "A \\u4e0a\\u7ebf\\u4e86"}
            RECV A {"type": "login", "content": "A \\u4e0a\\u7ebf\\u4e86", "user_list": ["3f2a9c1e-77aa-4e1b-9d0c-0123456789ab"]}
            SENT B {"type": "register", "uuid": "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654", "content": "B joined"}
            RECV A {"type": "login", "content": "B joined", "user_list": ["3f2a9c1e-77aa-4e1b-9d0c-0123456789ab", "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654"]}
            RECV B {"type": "login", "content": "B joined", "user_list": ["3f2a9c1e-77aa-4e1b-9d0c-0123456789ab", "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654"]}
            SENT C {"type": "send", "content": "hello from nobody"}
            RECV A {"type": "user", "content": "hello from nobody", "from": "404"}
            RECV B {"type": "user", "content": "hello from nobody", "from": "404"}
            SENT B {"type": "send", "content": "hi \\"all\\" \\\\ \\ud83d\\ude00 \\u00e9\\nsecond line"}
            RECV A {"type": "user", "content": "hi \\"all\\" \\\\ \\ud83d\\ude00 \\u00e9\\nsecond line", "from": "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654"}
            RECV B {"type": "user", "content": "hi \\"all\\" \\\\ \\ud83d\\ude00 \\u00e9\\nsecond line", "from": "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654"}
            SENT C {"type": "register", "uuid": "c0ffee00-0000-4000-8000-000000000003", "content": "C joined"}
            RECV A {"type": "login", "content": "C joined", "user_list": ["3f2a9c1e-77aa-4e1b-9d0c-0123456789ab", "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654", "c0ffee00-0000-4000-8000-000000000003"]}
            RECV B {"type": "login", "content": "C joined", "user_list": ["3f2a9c1e-77aa-4e1b-9d0c-0123456789ab", "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654", "c0ffee00-0000-4000-8000-000000000003"]}
            RECV C {"type": "login", "content": "C joined", "user_list": ["3f2a9c1e-77aa-4e1b-9d0c-0123456789ab", "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654", "c0ffee00-0000-4000-8000-000000000003"]}
            SENT A {"type": "unregister", "uuid": "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab", "content": "A \\u4e0b\\u7ebf\\u4e86"}
            RECV B {"type": "logout", "content": "A \\u4e0b\\u7ebf\\u4e86", "user_list": ["8d1b5e20-1c4f-4a0e-b7a1-fedcba987654", "c0ffee00-0000-4000-8000-000000000003"]}
            RECV C {"type": "logout", "content": "A \\u4e0b\\u7ebf\\u4e86", "user_list": ["8d1b5e20-1c4f-4a0e-b7a1-fedcba987654", "c0ffee00-0000-4000-8000-000000000003"]}
            CLOSE C
            RECV B {"type": "logout", "content": "c0ffee00-0000-4000-8000-000000000003 left", "user_list": ["8d1b5e20-1c4f-4a0e-b7a1-fedcba987654"]}
            OPEN D
            RECV D {"type": "handshake"}
            SENT D {"type": "register", "uuid": "d00d0000-0000-4000-8000-000000000004", "content": "D joined"}
            RECV B {"type": "login", "content": "D joined", "user_list": ["8d1b5e20-1c4f-4a0e-b7a1-fedcba987654", "d00d0000-0000-4000-8000-000000000004"]}
            RECV D {"type": "login", "content": "D joined", "user_list": ["8d1b5e20-1c4f-4a0e-b7a1-fedcba987654", "d00d0000-0000-4000-8000-000000000004"]}
            ABORT D
            RECV B {"type": "logout", "content": "d00d0000-0000-4000-8000-000000000004 left", "user_list": ["8d1b5e20-1c4f-4a0e-b7a1-fedcba987654"]}
            SENT B {not json
            RECV B {"type": "error", "content": "invalid JSON at offset 1: expected a string key"}
            SENT B {"type": "register", "content": "no uuid"}
            RECV B {"type": "error", "content": "register needs a string \\"uuid\\" (it was missing)"}
            SENT B {"type": "unregister", "uuid": "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab", "content": "again"}
            RECV B {"type": "error", "content": "unregister: uuid \\"3f2a9c1e-77aa-4e1b-9d0c-0123456789ab\\" is not registered"}
            SENT A {"type": "send", "content": "anyone?"}
            RECV B {"type": "user", "content": "anyone?", "from": "404"}
            SENT B {"type": "unregister", "uuid": "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654", "content": "B leaves"}
            SENT A {"type": "whatever"}
            RECV A {"type": "error", "content": "unknown type \\"whatever\\"; expected register, send, unregister or presence"}
            SENT B {"type": "send", "content": "into the void"}
            SENT B {"type": "dance"}
            RECV B {"type": "error", "content": "unknown type \\"dance\\"; expected register, send, unregister or presence"}
            CLOSE A
            CLOSE B
            DONE
            """;

    private static final String WS_SERVER = """
            OPEN A
            RECV A {"type": "handshake"}
            OPEN B
            RECV B {"type": "handshake"}
            SENT A {"type": "register", "uuid": "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab", "content": "A \\u4e0a\\u7ebf\\u4e86"}
            RECV A Get message: {"type": "register", "uuid": "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab", "content": "A \\u4e0a\\u7ebf\\u4e86"}
            RECV A {"type": "register", "content": "A \\u4e0a\\u7ebf\\u4e86", "user_list": ["3f2a9c1e-77aa-4e1b-9d0c-0123456789ab"]}
            SENT B {"type": "send", "content": "hi"}
            RECV B Get message: {"type": "send", "content": "hi"}
            RECV B {"type": "send", "content": "hi", "from": "404"}
            SENT A {"type": "send", "content": "\\u4f60\\u597d \\ud83d\\ude00"}
            RECV A Get message: {"type": "send", "content": "\\u4f60\\u597d \\ud83d\\ude00"}
            RECV A {"type": "send", "content": "\\u4f60\\u597d \\ud83d\\ude00", "from": "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab"}
            SENT B {"type": "register", "uuid": "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654", "content": "B joined"}
            RECV B Get message: {"type": "register", "uuid": "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654", "content": "B joined"}
            RECV B {"type": "register", "content": "B joined", "user_list": ["3f2a9c1e-77aa-4e1b-9d0c-0123456789ab", "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654"]}
            SENT A {"type": "unregister", "uuid": "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab"}
            RECV A Get message: {"type": "unregister", "uuid": "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab"}
            SENT A {"type": "send", "content": "still here"}
            RECV A Get message: {"type": "send", "content": "still here"}
            RECV A {"type": "send", "content": "still here", "from": "404"}
            SENT B not json
            RECV B Get message: not json
            RECV B {"type": "error", "content": "invalid JSON at offset 0: unexpected token"}
            SENT B {"type": "unregister", "uuid": "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab"}
            RECV B Get message: {"type": "unregister", "uuid": "3f2a9c1e-77aa-4e1b-9d0c-0123456789ab"}
            RECV B {"type": "error", "content": "unregister: uuid \\"3f2a9c1e-77aa-4e1b-9d0c-0123456789ab\\" is not registered"}
            SENT A {"type": "send", "content": "last"}
            RECV A Get message: {"type": "send", "content": "last"}
            RECV A {"type": "send", "content": "last", "from": "404"}
            SENT B {"type": "send", "content": "bye"}
            RECV B Get message: {"type": "send", "content": "bye"}
            RECV B {"type": "send", "content": "bye", "from": "8d1b5e20-1c4f-4a0e-b7a1-fedcba987654"}
            CLOSE A
            CLOSE B
            DONE
            """;
}
