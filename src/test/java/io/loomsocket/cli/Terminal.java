package io.loomsocket.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A fake terminal for the CLI: a keyboard (stdin) the test types on, and a screen it reads. */
final class Terminal {

    private Terminal() {}

    /** Runs {@code loomsocket ARGV...} on its own thread with this terminal; completes with the exit status. */
    static CompletableFuture<Integer> runInBackground(Keyboard stdin, Screen stdout, Screen stderr,
                                                                         String... argv) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread.ofVirtual().name("cli-under-test").start(() -> {
            try {
                exit.complete(Main.run(argv, stdin, stdout.stream, stderr.stream));
            } catch (Throwable e) {
                exit.completeExceptionally(e);
            }
        });
        return exit;
    }

    /**
     * Stdin that blocks until the test types a line or ends the input, like a real terminal. A
     * read returns what has been typed so far, at least one byte, and never waits for a full
     * buffer.
     */
    static final class Keyboard extends InputStream {
        private static final byte[] EOF = new byte[0];
        private final BlockingQueue<byte[]> typed = new LinkedBlockingQueue<>();
        private byte[] current = new byte[0];
        private int pos;
        private boolean ended;

        void type(String line) {
            typed.add((line + "\n").getBytes(StandardCharsets.UTF_8));
        }

        /** Ctrl-D. */
        void end() {
            typed.add(EOF);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == current.length) {
                if (ended) {
                    return -1;
                }
                try {
                    current = typed.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
                pos = 0;
                if (current == EOF) {
                    ended = true;
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** Stdout or stderr, split into lines as they are printed. */
    static final class Screen {
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> seen = new ArrayList<>();
        final PrintStream stream = new PrintStream(new OutputStream() {
            private final ByteArrayOutputStream line = new ByteArrayOutputStream();

            @Override
            public synchronized void write(int b) {
                if (b == '\n') {
                    lines.add(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                } else {
                    line.write(b);
                }
            }
        }, true, StandardCharsets.UTF_8);

        /** Waits for the next line that matches, keeping the ones before it in {@link #seen()}. */
        String await(Predicate<String> matching, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no such line within " + timeout + "; printed: " + seen());
                }
                synchronized (seen) {
                    seen.add(line);
                }
                if (matching.test(line)) {
                    return line;
                }
            }
        }

        String await(String exactLine) throws InterruptedException {
            return await(exactLine::equals, Duration.ofSeconds(10));
        }

        /** Every line printed so far. */
        List<String> seen() {
            synchronized (seen) {
                List<String> all = new ArrayList<>(seen);
                all.addAll(lines);
                return all;
            }
        }
    }
}
