package io.loomsocket.protocol.deflate;

import io.loomsocket.handshake.ExtensionOffer;
import io.loomsocket.handshake.ExtensionParam;
import io.loomsocket.handshake.HandshakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The negotiation of permessage-deflate (RFC 7692 §5, §7.1), both sides, as pure functions of
 * {@code Sec-WebSocket-Extensions} elements.
 *
 * <p><b>Server:</b> {@link #accept} answers the first acceptable offer. An invalid offer (an
 * unknown or repeated parameter, a bad value) is declined and the next one tried: "A server MUST
 * decline an extension negotiation offer for this extension if [...] The negotiation offer
 * contains an extension parameter not defined for use in an offer [or] an extension parameter
 * with an invalid value [or] multiple extension parameters with the same name" (§7). Declining
 * never fails the handshake.
 *
 * <p><b>The JDK's window.</b> {@link java.util.zip.Deflater} always compresses with a 15-bit
 * window. A {@code server_max_window_bits=N} below 15 is still accepted, truthfully: the server
 * then resets its compressor after every message (and says so with {@code
 * server_no_context_takeover}) and compresses only messages of at most 2^N bytes, in which no
 * back-reference can reach farther than 2^N; longer messages go uncompressed (§6 lets any message
 * go uncompressed). {@link MessageDeflater} applies the rule; docs/rfc7692-notes.md has the table.
 *
 * <p><b>Client:</b> {@link #offer} writes the offer; {@link #validateResponse} checks the server's
 * answer, and any fault fails the handshake: "If the response includes [an invalid extension
 * parameter], the client MUST _Fail the WebSocket Connection_" (§7.1).
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc7692#section-7.1">RFC 7692 §7.1</a>
 */
public final class DeflateNegotiation {

    static final String SERVER_NO_CONTEXT_TAKEOVER = "server_no_context_takeover";
    static final String CLIENT_NO_CONTEXT_TAKEOVER = "client_no_context_takeover";
    static final String SERVER_MAX_WINDOW_BITS = "server_max_window_bits";
    static final String CLIENT_MAX_WINDOW_BITS = "client_max_window_bits";

    private DeflateNegotiation() {}

    /** A server's answer to an offer: what was negotiated, and the element for the 101 response. */
    public record Accepted(DeflateParams params, ExtensionOffer response) {}

    /**
     * The parameters of one element. {@code clientMaxWindowBits} is 0 when the parameter came
     * without a value; the window bits are -1 when absent.
     */
    record Parsed(boolean serverNoContextTakeover, boolean clientNoContextTakeover, int serverMaxWindowBits,
                  boolean clientMaxWindowBitsPresent, int clientMaxWindowBits) {}

    /** Why an element is invalid; the server declines it, the client fails. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    // ---------------------------------------------------------------- server

    /**
     * The first permessage-deflate offer in {@code offers} (all {@code Sec-WebSocket-Extensions}
     * fields, in order) that is valid, with the response that accepts it; empty if none is.
     *
     * <ul>
     *   <li>{@code server_no_context_takeover} offered, or wanted by {@code local}: in the
     *       response ("the server MUST include [it]", §7.1.1.1).
     *   <li>{@code client_no_context_takeover} offered (the client's promise) or wanted by {@code
     *       local}: in the response, so the server may drop its decompressor between messages.
     *   <li>{@code server_max_window_bits}: the smaller of the offer's and {@code local}'s, in the
     *       response when below 15, which then also carries {@code server_no_context_takeover}
     *       (see the class comment). An offered 15 is echoed although it is the default.
     *   <li>{@code client_max_window_bits}: only if offered ("If a received offer does not have
     *       the client_max_window_bits extension parameter, the corresponding response MUST NOT
     *       include [it]", §7.1.2.2); the smaller of the offer's value and {@code local}'s, when
     *       below 15. The JDK's Inflater reads any window up to 15 bits.
     * </ul>
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc7692#section-7.1">RFC 7692 §7.1</a>
     */
    public static Optional<Accepted> accept(List<ExtensionOffer> offers, DeflateOptions local) {
        for (ExtensionOffer offer : offers) {
            if (!offer.name().equals(DeflateParams.EXTENSION_NAME)) {
                continue;
            }
            Parsed p;
            try {
                p = parse(offer.params(), true);
            } catch (Invalid declined) {
                continue; // declined; the next offer may do
            }
            int serverBits = Math.min(p.serverMaxWindowBits() < 0 ? DeflateOptions.MAX_WINDOW_BITS : p.serverMaxWindowBits(),
                    local.serverMaxWindowBits());
            boolean serverReset = p.serverNoContextTakeover() || local.serverNoContextTakeover()
                    || serverBits < DeflateOptions.MAX_WINDOW_BITS;
            boolean clientReset = p.clientNoContextTakeover() || local.clientNoContextTakeover();
            int clientBits = DeflateOptions.MAX_WINDOW_BITS;
            if (p.clientMaxWindowBitsPresent()) {
                int hint = p.clientMaxWindowBits() == 0 ? DeflateOptions.MAX_WINDOW_BITS : p.clientMaxWindowBits();
                clientBits = Math.min(hint, local.clientMaxWindowBits());
            }
            DeflateParams params = new DeflateParams(serverReset, clientReset, serverBits, clientBits);
            ExtensionOffer response = params.toExtension();
            if (p.serverMaxWindowBits() == DeflateOptions.MAX_WINDOW_BITS && serverBits == DeflateOptions.MAX_WINDOW_BITS) {
                // "A server accepts an extension negotiation offer with this parameter by including
                // the server_max_window_bits extension parameter in the [...] response" (§7.1.2.1),
                // even when it is the default 15 that DeflateParams leaves out.
                List<ExtensionParam> echoed = new ArrayList<>(response.params());
                echoed.add(ExtensionParam.of(SERVER_MAX_WINDOW_BITS, "15"));
                response = new ExtensionOffer(DeflateParams.EXTENSION_NAME, echoed);
            }
            return Optional.of(new Accepted(params, response));
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- client

    /**
     * The client's offer for {@code local}: always {@code client_max_window_bits} (a value below
     * 15 can be honoured, see the class comment), with a value when {@code local} wants a smaller
     * window; the context takeover flags and {@code server_max_window_bits} when asked for.
     */
    public static ExtensionOffer offer(DeflateOptions local) {
        List<ExtensionParam> params = new ArrayList<>(4);
        if (local.serverNoContextTakeover()) {
            params.add(ExtensionParam.of(SERVER_NO_CONTEXT_TAKEOVER));
        }
        if (local.clientNoContextTakeover()) {
            params.add(ExtensionParam.of(CLIENT_NO_CONTEXT_TAKEOVER));
        }
        if (local.serverMaxWindowBits() < DeflateOptions.MAX_WINDOW_BITS) {
            params.add(ExtensionParam.of(SERVER_MAX_WINDOW_BITS, Integer.toString(local.serverMaxWindowBits())));
        }
        params.add(local.clientMaxWindowBits() < DeflateOptions.MAX_WINDOW_BITS
                ? ExtensionParam.of(CLIENT_MAX_WINDOW_BITS, Integer.toString(local.clientMaxWindowBits()))
                : ExtensionParam.of(CLIENT_MAX_WINDOW_BITS));
        return new ExtensionOffer(DeflateParams.EXTENSION_NAME, params);
    }

    /** {@link #validateResponse(List, ExtensionOffer)} for the offer {@link #offer} makes of {@code local}. */
    public static Optional<DeflateParams> validateResponse(List<ExtensionOffer> accepted, DeflateOptions local) {
        return validateResponse(accepted, offer(local));
    }

    /**
     * Checks the server's response to {@code offered}: empty if the server declined, else what
     * was negotiated. The client fails the connection (a {@link HandshakeException} with status 0)
     * if the response accepts permessage-deflate more than once, or has an invalid parameter, a
     * {@code client_max_window_bits} that was not offered ("the client MUST _Fail the WebSocket
     * Connection_", §7.1.2.2) or without a value, a {@code server_max_window_bits} above the one
     * offered or missing although offered (§7.1.2.1), or lacks a {@code
     * server_no_context_takeover} that was offered (§7.1.1.1).
     *
     * @see <a href="https://www.rfc-editor.org/rfc/rfc7692#section-7.1">RFC 7692 §7.1</a>
     */
    public static Optional<DeflateParams> validateResponse(List<ExtensionOffer> accepted, ExtensionOffer offered) {
        List<ExtensionOffer> mine = accepted.stream().filter(e -> e.name().equals(DeflateParams.EXTENSION_NAME)).toList();
        if (mine.isEmpty()) {
            return Optional.empty();
        }
        if (mine.size() > 1) {
            throw fail("the server accepted permessage-deflate " + mine.size() + " times");
        }
        Parsed offer;
        Parsed response;
        try {
            offer = parse(offered.params(), true);
            response = parse(mine.get(0).params(), false);
        } catch (Invalid e) {
            throw fail("invalid permessage-deflate response: " + e.getMessage());
        }
        if (response.clientMaxWindowBitsPresent() && !offer.clientMaxWindowBitsPresent()) {
            throw fail("the server sent client_max_window_bits, which was not offered");
        }
        if (offer.serverNoContextTakeover() && !response.serverNoContextTakeover()) {
            throw fail("the server did not confirm server_no_context_takeover, which was offered");
        }
        if (offer.serverMaxWindowBits() > 0
                && (response.serverMaxWindowBits() < 0 || response.serverMaxWindowBits() > offer.serverMaxWindowBits())) {
            throw fail("the server did not limit server_max_window_bits to the " + offer.serverMaxWindowBits() + " offered");
        }
        return Optional.of(new DeflateParams(response.serverNoContextTakeover(), response.clientNoContextTakeover(),
                response.serverMaxWindowBits() < 0 ? DeflateOptions.MAX_WINDOW_BITS : response.serverMaxWindowBits(),
                response.clientMaxWindowBitsPresent() ? response.clientMaxWindowBits() : DeflateOptions.MAX_WINDOW_BITS));
    }

    // ---------------------------------------------------------------- parameters

    /**
     * The four parameters of §7.1, each at most once. {@code client_max_window_bits} may lack a
     * value only in an offer.
     */
    static Parsed parse(List<ExtensionParam> params, boolean inOffer) throws Invalid {
        boolean snct = false;
        boolean cnct = false;
        int smwb = -1;
        boolean cmwbPresent = false;
        int cmwb = -1;
        List<String> seen = new ArrayList<>(4);
        for (ExtensionParam p : params) {
            if (seen.contains(p.name())) {
                throw new Invalid("repeated parameter " + p.name());
            }
            seen.add(p.name());
            switch (p.name()) {
                case SERVER_NO_CONTEXT_TAKEOVER -> snct = flag(p);
                case CLIENT_NO_CONTEXT_TAKEOVER -> cnct = flag(p);
                case SERVER_MAX_WINDOW_BITS -> smwb = windowBits(p, p.value().orElseThrow(
                        () -> new Invalid("server_max_window_bits needs a value")));
                case CLIENT_MAX_WINDOW_BITS -> {
                    cmwbPresent = true;
                    if (p.value().isPresent()) {
                        cmwb = windowBits(p, p.value().get());
                    } else if (inOffer) {
                        cmwb = 0; // "the client supports the parameter"
                    } else {
                        throw new Invalid("client_max_window_bits needs a value in a response");
                    }
                }
                default -> throw new Invalid("unknown parameter " + p.name());
            }
        }
        return new Parsed(snct, cnct, smwb, cmwbPresent, cmwb);
    }

    /** The no-context-takeover parameters have no value (§7.1.1.1, §7.1.1.2). */
    private static boolean flag(ExtensionParam p) throws Invalid {
        if (p.value().isPresent()) {
            throw new Invalid(p.name() + " takes no value");
        }
        return true;
    }

    /**
     * "The value MUST conform to the ABNF below. server-max-window-bits = 1*DIGIT [...] This value
     * MUST be an integer in the range 8 to 15 without leading zeros" (§7.1.2.1; the same for the
     * client's, §7.1.2.2).
     */
    private static int windowBits(ExtensionParam p, String v) throws Invalid {
        boolean digits = !v.isEmpty() && v.length() <= 2 && v.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits || v.charAt(0) == '0') {
            throw new Invalid(p.name() + " must be 8..15 without leading zeros: " + v);
        }
        int bits = Integer.parseInt(v);
        if (bits < DeflateOptions.MIN_WINDOW_BITS || bits > DeflateOptions.MAX_WINDOW_BITS) {
            throw new Invalid(p.name() + " must be 8..15: " + v);
        }
        return bits;
    }

    private static HandshakeException fail(String message) {
        return new HandshakeException(0, message);
    }
}
