package io.loomsocket.handshake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.random.RandomGenerator;

/**
 * The two values that prove a handshake: the client's random {@code Sec-WebSocket-Key} and the
 * server's {@code Sec-WebSocket-Accept} derived from it.
 */
public final class AcceptKey {

    /** "the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"" that both sides append to the key. */
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private AcceptKey() {}

    /**
     * The {@code Sec-WebSocket-Accept} value for a key: "constructed by concatenating /key/ [...]
     * with the string "258EAFA5-E914-47DA-95CA-C5AB0DC85B11", taking the SHA-1 hash of this
     * concatenated value to obtain a 20-byte value and base64-encoding [...] this 20-byte hash."
     * The key is used as sent, not decoded; {@code of("dGhlIHNhbXBsZSBub25jZQ==")} is {@code
     * "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.2.2">RFC 6455 §4.2.2</a>
     */
    public static String of(String secWebSocketKey) {
        byte[] input = (secWebSocketKey + GUID).getBytes(StandardCharsets.ISO_8859_1);
        return Base64.getEncoder().encodeToString(sha1().digest(input));
    }

    /**
     * A new {@code Sec-WebSocket-Key}: "a nonce consisting of a randomly selected 16-byte value
     * that has been base64-encoded [...]. The nonce MUST be selected randomly for each
     * connection." Pass a {@link java.security.SecureRandom} outside tests.
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc6455#section-4.1">RFC 6455 §4.1</a>
     */
    public static String newKey(RandomGenerator random) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /**
     * A fresh SHA-1 digest, cloned from a prototype. {@code MessageDigest.getInstance} would leave
     * a thread-local behind in the provider lookup, and with a virtual thread per connection that
     * stays for the connection's whole life (about 160 bytes each).
     */
    private static MessageDigest sha1() {
        try {
            return (MessageDigest) SHA1.clone();
        } catch (CloneNotSupportedException e) {
            return newSha1();
        }
    }

    private static final MessageDigest SHA1 = newSha1();

    private static MessageDigest newSha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must support SHA-1", e);
        }
    }
}
