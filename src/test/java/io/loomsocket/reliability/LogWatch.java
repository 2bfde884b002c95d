package io.loomsocket.reliability;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Collects what the library logs at WARNING and above: its System.Logger goes to
 * java.util.logging, where a StreamHandler on the "io.loomsocket" logger formats every such
 * record into a buffer (an unexpected error in a reader, a failed handler, a failing timer task).
 *
 * <p>Through core reflection: the tests run inside the {@code io.loomsocket} module, which does
 * not read java.logging.
 */
final class LogWatch implements AutoCloseable {

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final Object logger; // held: java.util.logging keeps its loggers only weakly
    private final Object handler;

    LogWatch() {
        this(false);
    }

    /**
     * @param quiet keep the records off the console (the parent handlers): for a test whose
     *     warnings are expected, and checked through {@link #lines()}
     */
    LogWatch(boolean quiet) {
        try {
            Class<?> loggerClass = Class.forName("java.util.logging.Logger");
            Class<?> levelClass = Class.forName("java.util.logging.Level");
            Class<?> handlerClass = Class.forName("java.util.logging.Handler");
            Class<?> formatterClass = Class.forName("java.util.logging.Formatter");
            Object formatter = Class.forName("java.util.logging.SimpleFormatter").getConstructor().newInstance();
            OutputStream sink = new OutputStream() {
                @Override
                public void write(int b) {
                    synchronized (buffer) {
                        buffer.write(b);
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    synchronized (buffer) {
                        buffer.write(b, off, len);
                    }
                }
            };
            handler = Class.forName("java.util.logging.StreamHandler").getConstructor(OutputStream.class, formatterClass)
                    .newInstance(sink, formatter);
            handlerClass.getMethod("setLevel", levelClass).invoke(handler, levelClass.getField("WARNING").get(null));
            logger = loggerClass.getMethod("getLogger", String.class).invoke(null, "io.loomsocket");
            loggerClass.getMethod("addHandler", handlerClass).invoke(logger, handler);
            if (quiet) {
                loggerClass.getMethod("setUseParentHandlers", boolean.class).invoke(logger, false);
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot watch java.util.logging", e);
        }
    }

    /** Everything logged at WARNING and above so far, formatted. */
    String text() {
        try {
            handler.getClass().getMethod("flush").invoke(handler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        synchronized (buffer) {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }

    /** The level-and-message lines ("WARNING: handler failed; ..."), one per record. */
    List<String> lines() {
        return text().lines().filter(l -> l.startsWith("WARNING: ") || l.startsWith("SEVERE: ")).toList();
    }

    @Override
    public void close() {
        try {
            Class<?> handlerClass = Class.forName("java.util.logging.Handler");
            Class<?> loggerClass = Class.forName("java.util.logging.Logger");
            loggerClass.getMethod("removeHandler", handlerClass).invoke(logger, handler);
            loggerClass.getMethod("setUseParentHandlers", boolean.class).invoke(logger, true);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
