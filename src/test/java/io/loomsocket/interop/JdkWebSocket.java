package io.loomsocket.interop;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's own {@code java.net.http.WebSocket} client, driven through reflection.
 *
 * <p>Why reflection: the tests are compiled and run patched into the {@code io.loomsocket} module
 * (the main code has a {@code module-info}), and that module reads only {@code java.base}, so
 * javac refuses any reference to {@code java.net.http}. Core reflection assumes readability, and
 * {@code java.net.http} is in the boot layer at run time, so calling it reflectively works without
 * touching the build. If the pom ever gives the tests {@code --add-modules java.net.http
 * --add-reads io.loomsocket=java.net.http} (testCompile and surefire), this adapter can become
 * plain code.
 *
 * <p>The listener requests one message at a time and reassembles the parts in which the JDK
 * delivers large messages (it calls {@code onText}/{@code onBinary} with {@code last=false}).
 */
final class JdkWebSocket {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final Class<?> HTTP_CLIENT = load("java.net.http.HttpClient");
    private static final Class<?> BUILDER = load("java.net.http.WebSocket$Builder");
    private static final Class<?> WEB_SOCKET = load("java.net.http.WebSocket");
    private static final Class<?> LISTENER = load("java.net.http.WebSocket$Listener");

    /** A whole message received by the JDK client. */
    sealed interface Received {}

    record Text(String text) implements Received {}

    record Binary(byte[] data) implements Received {}

    record Closed(int code, String reason) {}

    private final Object client;
    private final Object ws;
    final BlockingQueue<Received> messages;
    final BlockingQueue<byte[]> pings;
    final BlockingQueue<byte[]> pongs;
    final CompletableFuture<Closed> closed;
    final CompletableFuture<Throwable> error;

    private JdkWebSocket(Object client, Object ws, Events events) {
        this.client = client;
        this.ws = ws;
        this.messages = events.messages;
        this.pings = events.pings;
        this.pongs = events.pongs;
        this.closed = events.closed;
        this.error = events.error;
    }

    /** Opens a connection with a new {@code HttpClient} of its own (closed by {@link #shutdown}). */
    static JdkWebSocket connect(URI uri) throws Exception {
        return connect(uri, HTTP_CLIENT.getMethod("newHttpClient").invoke(null));
    }

    /**
     * Opens a {@code wss://} connection with a new {@code HttpClient} whose TLS context is
     * {@code tls}: {@code HttpClient.newBuilder().sslContext(tls).build()}. The JDK client checks
     * the server's host name against its certificate itself.
     */
    static JdkWebSocket connect(URI uri, javax.net.ssl.SSLContext tls) throws Exception {
        Class<?> clientBuilder = load("java.net.http.HttpClient$Builder");
        Object b = HTTP_CLIENT.getMethod("newBuilder").invoke(null);
        b = clientBuilder.getMethod("sslContext", javax.net.ssl.SSLContext.class).invoke(b, tls);
        b = clientBuilder.getMethod("connectTimeout", Duration.class).invoke(b, TIMEOUT);
        return connect(uri, clientBuilder.getMethod("build").invoke(b));
    }

    private static JdkWebSocket connect(URI uri, Object client) throws Exception {
        Object builder = HTTP_CLIENT.getMethod("newWebSocketBuilder").invoke(client);
        builder = BUILDER.getMethod("connectTimeout", Duration.class).invoke(builder, TIMEOUT);
        Events events = new Events();
        Object listener = Proxy.newProxyInstance(JdkWebSocket.class.getClassLoader(), new Class<?>[] {LISTENER}, events);
        CompletableFuture<?> opening = (CompletableFuture<?>) BUILDER.getMethod("buildAsync", URI.class, LISTENER)
                .invoke(builder, uri, listener);
        Object ws = opening.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return new JdkWebSocket(client, ws, events);
    }

    void sendText(CharSequence text, boolean last) throws Exception {
        await(call("sendText", new Class<?>[] {CharSequence.class, boolean.class}, text, last));
    }

    void sendBinary(byte[] data, boolean last) throws Exception {
        await(call("sendBinary", new Class<?>[] {ByteBuffer.class, boolean.class}, ByteBuffer.wrap(data), last));
    }

    void sendPing(byte[] data) throws Exception {
        await(call("sendPing", new Class<?>[] {ByteBuffer.class}, ByteBuffer.wrap(data)));
    }

    void sendClose(int code, String reason) throws Exception {
        await(call("sendClose", new Class<?>[] {int.class, String.class}, code, reason));
    }

    boolean isInputClosed() throws Exception {
        return (Boolean) call("isInputClosed", new Class<?>[0]);
    }

    boolean isOutputClosed() throws Exception {
        return (Boolean) call("isOutputClosed", new Class<?>[0]);
    }

    /** Aborts the connection if still open and stops the client's selector thread. */
    void shutdown() throws Exception {
        call("abort", new Class<?>[0]);
        HTTP_CLIENT.getMethod("shutdownNow").invoke(client);
    }

    /** The next whole message, or fails after the timeout. */
    Received nextMessage() throws InterruptedException {
        Received m = messages.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + TIMEOUT);
        }
        return m;
    }

    private Object call(String name, Class<?>[] types, Object... args) throws Exception {
        try {
            return WEB_SOCKET.getMethod(name, types).invoke(ws, args);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    private static void await(Object future) throws Exception {
        ((CompletableFuture<?>) future).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The {@code WebSocket.Listener}: every callback requests the next one. */
    private static final class Events implements InvocationHandler {
        final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> pings = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> pongs = new LinkedBlockingQueue<>();
        final CompletableFuture<Closed> closed = new CompletableFuture<>();
        final CompletableFuture<Throwable> error = new CompletableFuture<>();
        // Parts of the message being received; only the JDK's one delivering thread at a time.
        private final StringBuilder textParts = new StringBuilder();
        private final ByteArrayOutputStream binaryParts = new ByteArrayOutputStream();

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "onOpen" -> request(args[0]);
                case "onText" -> {
                    textParts.append((CharSequence) args[1]);
                    if ((Boolean) args[2]) {
                        messages.add(new Text(textParts.toString()));
                        textParts.setLength(0);
                    }
                    request(args[0]);
                }
                case "onBinary" -> {
                    binaryParts.writeBytes(bytes((ByteBuffer) args[1]));
                    if ((Boolean) args[2]) {
                        messages.add(new Binary(binaryParts.toByteArray()));
                        binaryParts.reset();
                    }
                    request(args[0]);
                }
                case "onPing" -> {
                    pings.add(bytes((ByteBuffer) args[1]));
                    request(args[0]);
                }
                case "onPong" -> {
                    pongs.add(bytes((ByteBuffer) args[1]));
                    request(args[0]);
                }
                case "onClose" -> closed.complete(new Closed((Integer) args[1], (String) args[2]));
                case "onError" -> error.complete((Throwable) args[1]);
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "toString" -> {
                    return "JdkWebSocket.Events";
                }
                default -> throw new UnsupportedOperationException(method.toString());
            }
            return null; // a null CompletionStage: "processing completes immediately"
        }

        private static void request(Object ws) throws Exception {
            WEB_SOCKET.getMethod("request", long.class).invoke(ws, 1L);
        }

        private static byte[] bytes(ByteBuffer b) {
            byte[] copy = new byte[b.remaining()];
            b.get(copy);
            return copy;
        }
    }
}
