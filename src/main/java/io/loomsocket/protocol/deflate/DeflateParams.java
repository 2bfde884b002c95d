package io.loomsocket.protocol.deflate;

import io.loomsocket.handshake.ExtensionOffer;
import io.loomsocket.handshake.ExtensionParam;
import io.loomsocket.protocol.Role;
import java.util.ArrayList;
import java.util.List;

/**
 * What permessage-deflate negotiated for one connection: the parameters of the server's response
 * element. A window of 15 bits is the default and is not written in the response.
 *
 * @param serverNoContextTakeover the server resets its compressor after every message
 * @param clientNoContextTakeover the client resets its compressor after every message
 * @param serverMaxWindowBits 8..15, the largest LZ77 window the server compresses with
 * @param clientMaxWindowBits 8..15, the largest LZ77 window the client compresses with
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7692#section-7.1">RFC 7692 §7.1</a>
 */
public record DeflateParams(boolean serverNoContextTakeover, boolean clientNoContextTakeover,
                            int serverMaxWindowBits, int clientMaxWindowBits) {

    /** The extension's name in {@code Sec-WebSocket-Extensions}. */
    public static final String EXTENSION_NAME = "permessage-deflate";

    public DeflateParams {
        if (serverMaxWindowBits < DeflateOptions.MIN_WINDOW_BITS || serverMaxWindowBits > DeflateOptions.MAX_WINDOW_BITS
                || clientMaxWindowBits < DeflateOptions.MIN_WINDOW_BITS || clientMaxWindowBits > DeflateOptions.MAX_WINDOW_BITS) {
            throw new IllegalArgumentException("window bits must be 8..15");
        }
    }

    /** No parameter: context takeover both ways, 15-bit windows. */
    public static DeflateParams defaults() {
        return new DeflateParams(false, false, DeflateOptions.MAX_WINDOW_BITS, DeflateOptions.MAX_WINDOW_BITS);
    }

    /** Whether the side with {@code role} resets its compressor after every message. */
    public boolean noContextTakeover(Role sender) {
        return sender == Role.SERVER ? serverNoContextTakeover : clientNoContextTakeover;
    }

    /** The largest window the side with {@code role} may compress with. */
    public int maxWindowBits(Role sender) {
        return sender == Role.SERVER ? serverMaxWindowBits : clientMaxWindowBits;
    }

    /** The response element, e.g. {@code permessage-deflate; server_no_context_takeover}. */
    public ExtensionOffer toExtension() {
        List<ExtensionParam> params = new ArrayList<>(4);
        if (serverNoContextTakeover) {
            params.add(ExtensionParam.of(DeflateNegotiation.SERVER_NO_CONTEXT_TAKEOVER));
        }
        if (clientNoContextTakeover) {
            params.add(ExtensionParam.of(DeflateNegotiation.CLIENT_NO_CONTEXT_TAKEOVER));
        }
        if (serverMaxWindowBits < DeflateOptions.MAX_WINDOW_BITS) {
            params.add(ExtensionParam.of(DeflateNegotiation.SERVER_MAX_WINDOW_BITS, Integer.toString(serverMaxWindowBits)));
        }
        if (clientMaxWindowBits < DeflateOptions.MAX_WINDOW_BITS) {
            params.add(ExtensionParam.of(DeflateNegotiation.CLIENT_MAX_WINDOW_BITS, Integer.toString(clientMaxWindowBits)));
        }
        return new ExtensionOffer(EXTENSION_NAME, params);
    }

    /**
     * {@link #toExtension()} as it is written in the header: the server's response element, except
     * that a server also echoes an offered {@code server_max_window_bits=15}, which is the default
     * and left out here ({@link DeflateNegotiation.Accepted#response()} has the exact element).
     */
    public String toHeaderValue() {
        return toExtension().toHeaderValue();
    }
}
