package io.loomsocket.interop;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The messages of {@link DeflateInteropIT} when Loomsocket is the client, made as the peers'
 * scripts make theirs (src/test/deflate-peers/peer-common.mjs and peer_common.py): for each
 * (size, count) of the plan, {@code count} messages of each kind, interleaved, then the probe,
 * a repetitive text, always last. The bytes differ between the three languages; each sender
 * compares the echo with what it sent, and both ends compare digests.
 */
final class DeflateMessages {

    private DeflateMessages() {}

    /** Kinds of payload, after Autobahn's category 12 (which used files of text, JSON and images). */
    enum Kind {
        /** JSON-ish text with non-ASCII characters: compresses well. */
        JSON("json", false),
        /** Random bytes, binary: does not compress at all. */
        RANDOM("random", true),
        /** One line repeated, text: compresses to almost nothing. */
        REPETITIVE("repetitive", false);

        final String wire;
        final boolean binary;

        Kind(String wire, boolean binary) {
            this.wire = wire;
            this.binary = binary;
        }
    }

    /** One message to send, in frames of {@code fragment} bytes (0: one frame). */
    record Payload(Kind kind, int size, byte[] data, int fragment) {
        boolean binary() {
            return kind.binary;
        }

        String text() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /**
     * A size of the plan, how many messages of each kind have it, and the size of the frames
     * they are sent in (0: one frame per message; Autobahn's "auto-fragment" sizes).
     */
    record Step(int size, int count, int fragment) {
        Step(int size, int count) {
            this(size, count, 0);
        }
    }

    private static final String[] CITIES = {"Zürich", "København", "Łódź", "São Paulo", "Αθήνα", "東京", "Reykjavík", "Montréal"};
    private static final String LINE = "Loomsocket permessage-deflate interop: the same line, again and again.\n";

    /** The whole sequence, generated as it is iterated (so that no more than one message is held). */
    static Iterable<Payload> sequence(List<Step> plan, List<Kind> kinds, int probe, long seed) {
        return () -> new Iterator<>() {
            final SplittableRandom random = new SplittableRandom(seed);
            int step;
            int repeat;
            int kind;
            boolean probeSent;

            @Override
            public boolean hasNext() {
                return !probeSent;
            }

            @Override
            public Payload next() {
                if (probeSent) {
                    throw new NoSuchElementException();
                }
                while (step < plan.size() && repeat >= plan.get(step).count()) {
                    step++;
                    repeat = 0;
                }
                if (step == plan.size()) {
                    probeSent = true;
                    return message(Kind.REPETITIVE, probe, random, 0);
                }
                Payload p = message(kinds.get(kind), plan.get(step).size(), random, plan.get(step).fragment());
                if (++kind == kinds.size()) {
                    kind = 0;
                    repeat++;
                }
                return p;
            }
        };
    }

    /** The number of messages in the sequence, the probe included. */
    static int count(List<Step> plan, List<Kind> kinds) {
        return plan.stream().mapToInt(Step::count).sum() * kinds.size() + 1;
    }

    static Payload message(Kind kind, int size, SplittableRandom random, int fragment) {
        return switch (kind) {
            case JSON -> new Payload(kind, size, json(size, random), fragment);
            case RANDOM -> {
                byte[] b = new byte[size];
                random.nextBytes(b);
                yield new Payload(kind, size, b, fragment);
            }
            case REPETITIVE -> new Payload(kind, size, exactUtf8(LINE.repeat(size / LINE.length() + 2), size), fragment);
        };
    }

    private static byte[] json(int size, SplittableRandom random) {
        List<String> records = new ArrayList<>();
        int length = 1;
        while (length < size + 64) {
            int id = random.nextInt(1_000_000);
            String record = "{\"id\":" + id + ",\"user\":\"user-" + Integer.toString(id, 36) + "\",\"city\":\""
                    + CITIES[random.nextInt(CITIES.length)] + "\",\"score\":" + random.nextInt(10_000) / 100.0
                    + ",\"active\":" + random.nextBoolean() + ",\"tags\":"
                    + List.of("\"ws\"", "\"deflate\"", "\"rfc7692\"").subList(0, 1 + random.nextInt(3)).toString().replace(" ", "")
                    + "}";
            records.add(record);
            length += record.getBytes(StandardCharsets.UTF_8).length + 1;
        }
        return exactUtf8("[" + String.join(",", records) + "]", size);
    }

    /** UTF-8 of exactly {@code size} bytes: cut at a character boundary, padded with spaces. */
    static byte[] exactUtf8(String text, int size) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int end = Math.min(size, bytes.length);
        while (end > 0 && end < bytes.length && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        byte[] out = new byte[size];
        System.arraycopy(bytes, 0, out, 0, end);
        java.util.Arrays.fill(out, end, size, (byte) ' ');
        return out;
    }

    /** SHA-256 over every message as 'T'|'B', its length (4 bytes, big-endian), its bytes: as the scripts compute it. */
    static final class Digest {
        private final MessageDigest sha;
        private int count;
        private long bytes;

        Digest() {
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }

        synchronized void add(boolean binary, byte[] data) {
            sha.update((byte) (binary ? 'B' : 'T'));
            sha.update(new byte[] {(byte) (data.length >>> 24), (byte) (data.length >>> 16), (byte) (data.length >>> 8), (byte) data.length});
            sha.update(data);
            count++;
            bytes += data.length;
        }

        synchronized int count() {
            return count;
        }

        synchronized long bytes() {
            return bytes;
        }

        /** The hex digest; call once, at the end. */
        synchronized String hex() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }
}
