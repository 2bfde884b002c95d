package io.loomsocket.protocol.deflate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.loomsocket.handshake.ExtensionOffer;
import io.loomsocket.handshake.HandshakeException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7692 §5 and §7.1: offers in, the response or a decline out; the client's check of the response. */
class DeflateNegotiationTest {

    private static List<ExtensionOffer> parse(String... headers) {
        return ExtensionOffer.parseAll(List.of(headers));
    }

    private static String answer(DeflateOptions local, String... headers) {
        return DeflateNegotiation.accept(parse(headers), local).map(a -> a.response().toHeaderValue()).orElse("(declined)");
    }

    @Nested
    class Server {

        /**
         * Every offer the Autobahn|Testsuite's category 13 makes (its client offers "accept no
         * context takeover" and "accept max window bits", plus the requested server parameters),
         * the variants named in our brief, and what the server answers with the default options.
         */
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                // 13.1 (False, 0)
                "permessage-deflate; client_no_context_takeover; client_max_window_bits | permessage-deflate; client_no_context_takeover",
                // 13.2 (True, 0)
                "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover | permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                // 13.3 (False, 8)
                "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_max_window_bits=8 | permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8",
                // 13.4 (False, 15)
                "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_max_window_bits=15 | permessage-deflate; client_no_context_takeover; server_max_window_bits=15",
                // 13.5 (True, 8)
                "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=8 | permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8",
                // 13.6 (True, 15)
                "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=15 | permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=15",
                // 13.7 [(True, 8), (True, 0), (False, 0)]: the first is acceptable
                "'permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=8, permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover, permessage-deflate; client_no_context_takeover; client_max_window_bits' | permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8",
                // what browsers, Python websockets and Node ws offer
                "permessage-deflate; client_max_window_bits | permessage-deflate",
                "permessage-deflate | permessage-deflate",
                // client_max_window_bits with a value: the client's own limit, echoed
                "permessage-deflate; client_max_window_bits=8 | permessage-deflate; client_max_window_bits=8",
                "permessage-deflate; client_max_window_bits=15 | permessage-deflate",
                // the brief's reading of 13.x: client side flags and windows
                "permessage-deflate; client_no_context_takeover | permessage-deflate; client_no_context_takeover",
                "permessage-deflate; server_max_window_bits=10 | permessage-deflate; server_no_context_takeover; server_max_window_bits=10",
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=8 | permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=8",
        })
        void answersEachOfferWithTheDefaults(String offer, String expected) {
            assertThat(answer(DeflateOptions.defaults(), offer)).isEqualTo(expected);
        }

        @Test
        void theParamsMatchTheResponseForAutobahn13_5() {
            DeflateNegotiation.Accepted a = DeflateNegotiation.accept(parse(
                    "permessage-deflate; client_no_context_takeover; client_max_window_bits; server_no_context_takeover; server_max_window_bits=8"),
                    DeflateOptions.defaults()).orElseThrow();
            assertThat(a.params()).isEqualTo(new DeflateParams(true, true, 8, 15));
            assertThat(a.params().toHeaderValue()).isEqualTo(a.response().toHeaderValue());
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
                "permessage-deflate; unknown_param",
                "permessage-deflate; server_no_context_takeover=1",
                "permessage-deflate; client_no_context_takeover=true",
                "permessage-deflate; server_max_window_bits",
                "permessage-deflate; server_max_window_bits=7",
                "permessage-deflate; server_max_window_bits=16",
                "permessage-deflate; server_max_window_bits=08",
                "permessage-deflate; server_max_window_bits=abc",
                "permessage-deflate; client_max_window_bits=0",
                "permessage-deflate; client_max_window_bits=100",
                "x-webkit-deflate-frame",
                "permessage-bzip2",
        })
        void declinesAnInvalidOrForeignOffer(String offer) {
            assertThat(answer(DeflateOptions.defaults(), offer)).isEqualTo("(declined)");
        }

        @Test
        void skipsAnInvalidOfferForTheNextOneInTheSameHeader() {
            assertThat(answer(DeflateOptions.defaults(),
                    "permessage-deflate; server_max_window_bits=20, permessage-deflate; server_no_context_takeover"))
                    .isEqualTo("permessage-deflate; server_no_context_takeover");
        }

        @Test
        void skipsAnInvalidOfferForTheNextOneInARepeatedHeader() {
            assertThat(answer(DeflateOptions.defaults(), "foo, permessage-deflate; bogus", "permessage-deflate; client_max_window_bits"))
                    .isEqualTo("permessage-deflate");
        }

        @Test
        void aQuotedValueCountsAsTheToken() {
            assertThat(answer(DeflateOptions.defaults(), "permessage-deflate; server_max_window_bits=\"10\""))
                    .isEqualTo("permessage-deflate; server_no_context_takeover; server_max_window_bits=10");
        }

        @Test
        void noOfferMeansNoAnswer() {
            assertThat(DeflateNegotiation.accept(List.of(), DeflateOptions.defaults())).isEmpty();
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', value = {
                "permessage-deflate | permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12",
                "permessage-deflate; client_max_window_bits | permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=11",
                "permessage-deflate; client_max_window_bits=9; server_max_window_bits=10 | permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9",
        })
        void theServersOwnWishesGoInTheResponse(String offer, String expected) {
            DeflateOptions local = DeflateOptions.defaults().withServerNoContextTakeover(true).withClientNoContextTakeover(true)
                    .withServerMaxWindowBits(12).withClientMaxWindowBits(11);
            assertThat(answer(local, offer)).isEqualTo(expected);
        }
    }

    @Nested
    class Client {

        @Test
        void theDefaultOfferNamesClientMaxWindowBits() {
            assertThat(DeflateNegotiation.offer(DeflateOptions.defaults()).toHeaderValue())
                    .isEqualTo("permessage-deflate; client_max_window_bits");
        }

        @Test
        void anOfferWithEveryParameter() {
            DeflateOptions o = DeflateOptions.defaults().withServerNoContextTakeover(true).withClientNoContextTakeover(true)
                    .withServerMaxWindowBits(10).withClientMaxWindowBits(9);
            assertThat(DeflateNegotiation.offer(o).toHeaderValue()).isEqualTo(
                    "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=9");
        }

        @Test
        void whatTheServerAnswersIsWhatTheClientAccepts() {
            // Both sides of this library agree, for every combination the server table covers.
            for (DeflateOptions o : List.of(DeflateOptions.defaults(),
                    DeflateOptions.defaults().withServerNoContextTakeover(true),
                    DeflateOptions.defaults().withClientNoContextTakeover(true),
                    DeflateOptions.defaults().withServerMaxWindowBits(8),
                    DeflateOptions.defaults().withClientMaxWindowBits(8).withServerMaxWindowBits(9).withServerNoContextTakeover(true))) {
                ExtensionOffer offer = DeflateNegotiation.offer(o);
                DeflateNegotiation.Accepted a = DeflateNegotiation.accept(List.of(offer), DeflateOptions.defaults()).orElseThrow();
                assertThat(DeflateNegotiation.validateResponse(List.of(a.response()), o)).as(offer.toHeaderValue()).contains(a.params());
            }
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "permessage-deflate | false, false, 15, 15",
                "permessage-deflate; server_no_context_takeover | true, false, 15, 15",
                "permessage-deflate; client_no_context_takeover | false, true, 15, 15",
                "permessage-deflate; server_max_window_bits=9 | false, false, 9, 15",
                "permessage-deflate; client_max_window_bits=8 | false, false, 15, 8",
        })
        void acceptsAValidResponse(String response, String params) {
            String[] p = params.split(",\\s*");
            assertThat(DeflateNegotiation.validateResponse(parse(response), DeflateOptions.defaults())).contains(new DeflateParams(
                    Boolean.parseBoolean(p[0]), Boolean.parseBoolean(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3])));
        }

        @Test
        void noResponseElementMeansDeclined() {
            assertThat(DeflateNegotiation.validateResponse(List.of(), DeflateOptions.defaults())).isEqualTo(Optional.empty());
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {
                "permessage-deflate, permessage-deflate",
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                "permessage-deflate; foo",
                "permessage-deflate; client_max_window_bits",
                "permessage-deflate; client_max_window_bits=7",
                "permessage-deflate; server_max_window_bits=16",
                "permessage-deflate; server_no_context_takeover=x",
        })
        void failsAnInvalidResponse(String response) {
            assertThatThrownBy(() -> DeflateNegotiation.validateResponse(parse(response), DeflateOptions.defaults()))
                    .isInstanceOfSatisfying(HandshakeException.class, e -> assertThat(e.status()).isZero());
        }

        @Test
        void failsClientMaxWindowBitsThatWasNotOffered() {
            ExtensionOffer offered = ExtensionOffer.parseAll(List.of("permessage-deflate")).get(0);
            assertThatThrownBy(() -> DeflateNegotiation.validateResponse(parse("permessage-deflate; client_max_window_bits=10"), offered))
                    .isInstanceOf(HandshakeException.class).hasMessageContaining("not offered");
        }

        @Test
        void failsAResponseThatDropsAnOfferedServerNoContextTakeover() {
            DeflateOptions o = DeflateOptions.defaults().withServerNoContextTakeover(true);
            assertThatThrownBy(() -> DeflateNegotiation.validateResponse(parse("permessage-deflate"), o))
                    .isInstanceOf(HandshakeException.class).hasMessageContaining("server_no_context_takeover");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"permessage-deflate", "permessage-deflate; server_max_window_bits=11"})
        void failsAResponseThatDoesNotHonourAnOfferedServerWindow(String response) {
            DeflateOptions o = DeflateOptions.defaults().withServerMaxWindowBits(10);
            assertThatThrownBy(() -> DeflateNegotiation.validateResponse(parse(response), o))
                    .isInstanceOf(HandshakeException.class).hasMessageContaining("server_max_window_bits");
        }
    }

    @Nested
    class Options {

        @Test
        void theDefaults() {
            assertThat(DeflateOptions.defaults()).isEqualTo(new DeflateOptions(6, 64, false, false, 15, 15, 8));
        }

        @Test
        void rangesAreChecked() {
            DeflateOptions d = DeflateOptions.defaults();
            assertThatThrownBy(() -> d.withLevel(10)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> d.withLevel(-1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> d.withThreshold(-1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> d.withServerMaxWindowBits(7)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> d.withClientMaxWindowBits(16)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> d.withMemLevel(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> d.withMemLevel(10)).isInstanceOf(IllegalArgumentException.class);
            assertThat(d.withLevel(9).withThreshold(0).withMemLevel(9).withServerMaxWindowBits(8).withClientMaxWindowBits(8))
                    .isEqualTo(new DeflateOptions(9, 0, false, false, 8, 8, 9));
            assertThatThrownBy(() -> new DeflateParams(false, false, 7, 15)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
