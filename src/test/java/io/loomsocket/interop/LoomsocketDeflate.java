package io.loomsocket.interop;

import io.loomsocket.WebSocket;
import io.loomsocket.client.WebSocketClient;
import io.loomsocket.protocol.deflate.DeflateOptions;
import io.loomsocket.server.WebSocketServer;

/**
 * THE ONE PLACE where {@link DeflateInteropIT} touches Loomsocket's permessage-deflate API: how
 * a combination's parameters become {@link DeflateOptions} on each side, and where the
 * negotiated extensions are read. Everything else in the interop test is plain RFC 6455 API,
 * node and python. If the API or the meaning of an option changes, only this class changes.
 *
 * <p>Options as this class reads them (docs/deflate-interop.md):
 * <ul>
 *   <li>Server: {@code clientNoContextTakeover} = ask the client for
 *       {@code client_no_context_takeover}; {@code clientMaxWindowBits} &lt; 15 = answer
 *       {@code client_max_window_bits=N} when the client offered the parameter. What the client
 *       asks of the server ({@code server_no_context_takeover}, {@code server_max_window_bits})
 *       the server grants by its own rules: these options stay at their defaults.</li>
 *   <li>Client: {@code serverNoContextTakeover} = offer {@code server_no_context_takeover};
 *       {@code serverMaxWindowBits} &lt; 15 = offer {@code server_max_window_bits=N}; 15 = offer
 *       {@code server_max_window_bits=15} too (Autobahn 13.4 and 13.6 do).</li>
 *   <li>Both: {@code threshold} 0, so that even 16-byte messages are compressed.</li>
 * </ul>
 */
final class LoomsocketDeflate {

    private LoomsocketDeflate() {}

    /** What a server asks of the client when it accepts an offer (Autobahn's fuzzing server's accept). */
    record ServerAccept(boolean clientNoContextTakeover, int clientMaxWindowBits) {}

    /** One permessage-deflate offer by a client: what it asks of the server. 0 = no server_max_window_bits. */
    record ClientOffer(boolean serverNoContextTakeover, int serverMaxWindowBits) {}

    /**
     * Permessage-deflate on a server builder: {@code null} leaves the builder's default (on, with
     * {@code DeflateOptions.defaults()}); otherwise the options that ask what {@code accept} asks.
     */
    static WebSocketServer.Builder server(WebSocketServer.Builder builder, ServerAccept accept) {
        if (accept == null) {
            return builder;
        }
        DeflateOptions options = DeflateOptions.defaults().withThreshold(0)
                .withClientNoContextTakeover(accept.clientNoContextTakeover());
        if (accept.clientMaxWindowBits() != 0) {
            options = options.withClientMaxWindowBits(accept.clientMaxWindowBits());
        }
        return builder.deflate(options);
    }

    /**
     * Permessage-deflate on a client builder: {@code on == false} leaves it off (the client's
     * default); {@code offer == null} turns it on with the defaults ({@code deflate()});
     * otherwise the options that make this offer.
     */
    static WebSocketClient.Builder client(WebSocketClient.Builder builder, boolean on, ClientOffer offer) {
        if (!on) {
            return builder;
        }
        if (offer == null) {
            return builder.deflate();
        }
        DeflateOptions options = DeflateOptions.defaults().withThreshold(0)
                .withServerNoContextTakeover(offer.serverNoContextTakeover());
        if (offer.serverMaxWindowBits() != 0) {
            options = options.withServerMaxWindowBits(offer.serverMaxWindowBits());
        }
        return builder.deflate(options);
    }

    /** The negotiated {@code Sec-WebSocket-Extensions} value, "" when none. */
    static String extensions(WebSocket ws) {
        return ws.extensions();
    }
}
