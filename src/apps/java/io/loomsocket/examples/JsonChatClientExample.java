package io.loomsocket.examples;

import io.loomsocket.WebSocket;
import io.loomsocket.protocol.CloseCode;
import io.loomsocket.protocol.DataMessage;
import io.loomsocket.protocol.Message;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

/**
 * The {@code json-chat-client} command: a terminal client of the JSON chat of seed 001
 * ({@code json-chat}, the demo's {@code /chat}). The protocol, as this client speaks it:
 *
 * <ol>
 *   <li>It waits for the server's greeting {@code {"type": "handshake"}}; anything else first is
 *       an error (an {@link IOException} naming what came).</li>
 *   <li>It registers: {@code {"type":"register","uuid":U,"content":"U joined"}}.</li>
 *   <li>Each line of input is sent as {@code {"type":"send","content":LINE}}.</li>
 *   <li>The line {@code exit} (or the end of input) sends
 *       {@code {"type":"unregister","uuid":U,"content":"U left"}} and closes with 1000 and the
 *       reason {@code exit}.</li>
 * </ol>
 *
 * The messages are written compactly, as a browser's {@code JSON.stringify} writes them.
 * Every message received is printed on one line by {@link #render(String)}:
 * {@code login: ann joined (online: ann, bob)}, {@code ann: hello},
 * {@code logout: ann left (online: bob)}, {@code error: ...}; anything that is not a JSON
 * object with a {@code type} is printed as it is. If the server closes the connection, the
 * client prints {@code closed by the server: CODE [reason]} and ends; a close other than 1000
 * or 1001 is an {@link IOException}.
 */
public final class JsonChatClientExample {

    public static final URI DEFAULT_URL = URI.create("ws://127.0.0.1:9090");
    public static final String EXIT = "exit";

    private final URI url;
    private final String uuid;
    private final PrintStream out;
    private final AtomicBoolean leaving = new AtomicBoolean();

    private JsonChatClientExample(URI url, String uuid, PrintStream out) {
        this.url = url;
        this.uuid = uuid;
        this.out = out;
    }

    /** A random short id for {@code --uuid}: 8 hex digits. */
    public static String randomUuid() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Joins the chat as {@code uuid}, sends each line of {@code in}, prints what arrives, and
     * leaves on {@code exit}. Returns once the connection is closed.
     *
     * @throws IOException naming the URL: cannot connect, no handshake within {@code timeout},
     *     or closed by the server with a code other than 1000 or 1001
     */
    public static void run(URI url, String uuid, BufferedReader in, PrintStream out, Duration timeout)
            throws IOException, InterruptedException {
        if (uuid.isEmpty()) {
            throw new IllegalArgumentException("the uuid must not be empty");
        }
        try (WebSocket ws = ExampleClients.connect(url)) {
            new JsonChatClientExample(url, uuid, out).chat(ws, in, timeout);
        }
    }

    private void chat(WebSocket ws, BufferedReader in, Duration timeout) throws IOException, InterruptedException {
        String first = ExampleClients.answer(ws, url, timeout, "{\"type\": \"handshake\"}");
        if (!"handshake".equals(typeOf(first))) {
            throw new IOException(url + ": expected {\"type\": \"handshake\"} first, got: " + oneLine(first)
                    + " (is it a json-chat server?)");
        }
        print(render(first));
        ExampleClients.send(ws, url, encode(Json.object("type", "register", "uuid", uuid, "content", uuid + " joined")));

        // Input is read on its own thread, so that messages are printed while it waits; a daemon
        // platform thread, since a read from a terminal cannot be interrupted and must not keep
        // the JVM alive once the server has closed the connection.
        Thread.ofPlatform().daemon().name("json-chat-client-stdin").start(() -> sendLines(ws, in));
        for (DataMessage m : ws) {
            print(m instanceof Message.Text t ? render(t.text()) : ExampleClients.text(m));
        }
        if (leaving.get()) {
            return;
        }
        CloseCode code = ws.closeCode();
        String closed = code.code() + (ws.closeReason().isEmpty() ? "" : " " + ws.closeReason());
        if (code.code() != 1000 && code.code() != 1001) {
            throw new IOException(url + ": the server closed the connection (" + closed + ")");
        }
        print("closed by the server: " + closed);
    }

    /** Each line as a {@code send}; {@code exit} or the end of input unregisters and closes. */
    private void sendLines(WebSocket ws, BufferedReader in) {
        try {
            for (String line; (line = in.readLine()) != null && !line.equals(EXIT); ) {
                ws.sendText(encode(Json.object("type", "send", "content", line)));
            }
            leaving.set(true);
            ws.sendText(encode(Json.object("type", "unregister", "uuid", uuid, "content", uuid + " left")));
            ws.close(CloseCode.NORMAL_CLOSURE, EXIT);
        } catch (IOException e) {
            // Closed by the server (the printing loop reports it), or the input failed: end it.
            ws.close(CloseCode.NORMAL_CLOSURE, EXIT);
        }
    }

    /** How the client writes its messages; one place, should the format change. */
    static String encode(Map<String, Object> message) {
        return Json.write(message);
    }

    /**
     * A message received, on one line: {@code FROM: CONTENT} for {@code user} (and the
     * {@code ws-server} variant's {@code send}) messages; otherwise
     * {@code TYPE[: CONTENT][ (online: U1, U2)]} followed by any other field as
     * {@code name=JSON}. Text that is not a JSON object with a string {@code type} comes back
     * as it is. Line breaks inside are shown as {@code \n} and {@code \r}.
     */
    public static String render(String text) {
        Map<String, Object> m = objectOrNull(text);
        if (m == null || !(m.get("type") instanceof String type)) {
            return oneLine(text);
        }
        Object content = m.get("content");
        Object from = m.get("from");
        if ((type.equals("user") || type.equals("send")) && from != null && content != null && m.size() == 3) {
            return oneLine(str(from) + ": " + str(content));
        }
        StringBuilder line = new StringBuilder(type);
        if (content != null) {
            line.append(": ").append(str(content));
        }
        if (m.get("user_list") instanceof List<?> users) {
            line.append(" (online: ")
                    .append(users.isEmpty() ? "nobody" : users.stream().map(JsonChatClientExample::str).collect(Collectors.joining(", ")))
                    .append(')');
        }
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (!List.of("type", "content", "user_list").contains(e.getKey())) {
                line.append(' ').append(e.getKey()).append('=').append(Json.write(e.getValue()));
            }
        }
        return oneLine(line.toString());
    }

    private static String typeOf(String text) {
        Map<String, Object> m = objectOrNull(text);
        return m != null && m.get("type") instanceof String type ? type : null;
    }

    private static Map<String, Object> objectOrNull(String text) {
        try {
            return Json.parseObject(text);
        } catch (Json.JsonException e) {
            return null;
        }
    }

    private static String str(Object value) {
        return value instanceof String s ? s : Json.write(value);
    }

    private static String oneLine(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    private void print(String line) {
        out.println(line);
        out.flush();
    }
}
