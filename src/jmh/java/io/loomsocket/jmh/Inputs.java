package io.loomsocket.jmh;

import io.loomsocket.protocol.FrameEncoder;
import io.loomsocket.protocol.MaskKeySource;
import io.loomsocket.protocol.Opcode;
import io.loomsocket.protocol.Role;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** Test inputs shared by the benchmarks: random payloads, client frames, sample text. */
final class Inputs {

    /** Frames per benchmark operation in the frame benchmarks (their {@code @OperationsPerInvocation}). */
    static final int FRAMES = 64;

    private Inputs() {}

    static byte[] randomBytes(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** A client's encoder with keys from a fixed-seed generator (the keys' quality is not measured). */
    static FrameEncoder clientEncoder(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        MaskKeySource keys = random::nextInt;
        return new FrameEncoder(Role.CLIENT, keys);
    }

    /** {@code count} masked final binary frames of {@code size} random bytes each, back to back. */
    static byte[] maskedFrames(int size, int count) {
        FrameEncoder client = clientEncoder(7);
        byte[] payload = randomBytes(size, 11);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            out.writeBytes(client.encode(true, 0, Opcode.BINARY, payload, 0, size));
        }
        return out.toByteArray();
    }

    /**
     * One binary message of {@code size} bytes sent as {@code fragments} masked frames: a BINARY
     * frame with FIN clear, continuations, the last one with FIN set (RFC 6455 §5.4).
     */
    static byte[] fragmentedMessage(int size, int fragments) {
        FrameEncoder client = clientEncoder(13);
        byte[] payload = randomBytes(size, 17);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int piece = size / fragments;
        for (int i = 0; i < fragments; i++) {
            int off = i * piece;
            int len = i == fragments - 1 ? size - off : piece;
            out.writeBytes(client.encode(i == fragments - 1, 0, i == 0 ? Opcode.BINARY : Opcode.CONTINUATION, payload, off, len));
        }
        return out.toByteArray();
    }

    /** About {@code size} bytes of UTF-8: "ascii", "mixed" (Latin, Greek, CJK, emoji) or "invalid". */
    static byte[] text(String kind, int size) {
        String unit = switch (kind) {
            case "ascii" -> "The quick brown fox jumps over the lazy dog; 0123456789. ";
            case "mixed", "invalid" -> "Hello κόσμε, 你好世界, こんにちは 🌍🚀 naïve café — ";
            default -> throw new IllegalArgumentException(kind);
        };
        StringBuilder sb = new StringBuilder(size + unit.length() * 4);
        while (sb.toString().getBytes(StandardCharsets.UTF_8).length < size) {
            sb.append(unit);
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        // Cut at a character boundary at or below size.
        int end = Math.min(size, bytes.length);
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        byte[] text = java.util.Arrays.copyOf(bytes, end);
        if (kind.equals("invalid")) {
            // A surrogate (ED A0 80, "U+D800") 16 bytes before the end: the whole text is scanned.
            int at = text.length - 16;
            while ((text[at] & 0xC0) == 0x80) {
                at--;
            }
            // Replace the character at 'at' (and bytes up to 3) with the surrogate's encoding.
            text[at] = (byte) 0xED;
            text[at + 1] = (byte) 0xA0;
            text[at + 2] = (byte) 0x80;
        }
        return text;
    }
}
