package io.loomsocket.protocol;

import java.security.SecureRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where client mask keys come from.
 *
 * <p>"The masking key is a 32-bit value chosen at random by the client. When preparing a masked
 * frame, the client MUST pick a fresh masking key from the set of allowed 32-bit values. The
 * masking key needs to be unpredictable; thus, the masking key MUST be derived from a strong
 * source of entropy".
 *
 * <p>A source is used by one connection, under its send lock; it need not be thread-safe.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-5.3">RFC 6455 §5.3</a>
 */
@FunctionalInterface
public interface MaskKeySource {

    /** The next key; octet 0 of the key is the most significant byte. */
    int nextKey();

    /**
     * The default: keys from a shared {@link SecureRandom}, drawn 64 keys at a time into a
     * per-connection block (allocated on first use, so idle connections pay nothing). The
     * SecureRandom is reached once per 64 frames, never per frame.
     */
    static MaskKeySource secure() {
        return new SecureBlockSource();
    }

    /**
     * Always the same key: for tests and for the RFC's examples. A client must never use it on a
     * real connection ("the masking key needs to be unpredictable").
     */
    static MaskKeySource fixed(int key) {
        return () -> key;
    }

    /**
     * For a server's connections, which never mask ("A server MUST NOT mask any frames that it
     * sends to the client", §5.1): the source is never asked, and refuses if it is.
     */
    static MaskKeySource none() {
        return () -> {
            throw new IllegalStateException("a server's connection does not mask its frames");
        };
    }

    /** The block source behind {@link #secure()}. */
    final class SecureBlockSource implements MaskKeySource {
        private static final SecureRandom RANDOM = new SecureRandom();
        private static final ReentrantLock SEED_LOCK = new ReentrantLock();
        private static final int KEYS_PER_BLOCK = 64;

        private int[] block;
        private int next;

        SecureBlockSource() {}

        @Override
        public int nextKey() {
            if (block == null) {
                block = new int[KEYS_PER_BLOCK];
                next = KEYS_PER_BLOCK;
            }
            if (next == KEYS_PER_BLOCK) {
                byte[] bytes = new byte[KEYS_PER_BLOCK * 4];
                SEED_LOCK.lock(); // SecureRandom is thread-safe; the lock only avoids its monitor
                try {
                    RANDOM.nextBytes(bytes);
                } finally {
                    SEED_LOCK.unlock();
                }
                for (int i = 0; i < KEYS_PER_BLOCK; i++) {
                    block[i] = (bytes[4 * i] & 0xFF) << 24 | (bytes[4 * i + 1] & 0xFF) << 16
                            | (bytes[4 * i + 2] & 0xFF) << 8 | (bytes[4 * i + 3] & 0xFF);
                }
                next = 0;
            }
            return block[next++];
        }
    }
}
