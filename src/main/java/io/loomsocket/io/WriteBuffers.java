package io.loomsocket.io;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A small pool of 64 KiB buffers in which a writer coalesces queued frames into one socket write.
 * A buffer is taken for the length of one write and given back, so an idle connection holds none
 * and a broadcast to a thousand connections needs only as many buffers as writes in progress.
 * Lock-free: a fixed array of slots, emptied and refilled with atomic swaps. When the pool is
 * empty a new buffer is allocated; when it is full a returned buffer is left to the GC.
 */
final class WriteBuffers {

    static final int SIZE = 64 * 1024;

    private static final AtomicReferenceArray<byte[]> SLOTS =
            new AtomicReferenceArray<>(Math.max(4, 2 * Runtime.getRuntime().availableProcessors()));

    private WriteBuffers() {}

    static byte[] take() {
        for (int i = 0; i < SLOTS.length(); i++) {
            if (SLOTS.getPlain(i) != null) {
                byte[] b = SLOTS.getAndSet(i, null);
                if (b != null) {
                    return b;
                }
            }
        }
        return new byte[SIZE];
    }

    static void give(byte[] buffer) {
        for (int i = 0; i < SLOTS.length(); i++) {
            if (SLOTS.getPlain(i) == null && SLOTS.compareAndSet(i, null, buffer)) {
                return;
            }
        }
    }
}
