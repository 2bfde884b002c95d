package io.loomsocket.examples;

import static io.loomsocket.examples.Harness.nextJson;
import static org.assertj.core.api.Assertions.assertThat;

import io.loomsocket.WebSocket;
import io.loomsocket.broadcast.BroadcastRegistry;
import io.loomsocket.server.WebSocketServer;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ChannelsAppTest {

    /** Long enough never to tick by itself during a test: the tests tick by hand. */
    private static final Duration NEVER = Duration.ofHours(1);

    private final Harness harness = new Harness();
    private ChannelsApp app;
    private WebSocketServer server;

    @AfterEach
    void cleanUp() throws Exception {
        harness.close();
    }

    private void start(String token, Duration interval) throws Exception {
        app = harness.closeLater(new ChannelsApp(token, interval, 42));
        server = harness.track(app.start(app.configure(Harness.builder())));
    }

    private WebSocket connect() throws Exception {
        return harness.connect(server, "/channels");
    }

    private static void send(WebSocket ws, Object... keysAndValues) throws Exception {
        ws.sendText(Json.write(Json.object(keysAndValues)));
    }

    private static void auth(WebSocket ws, String token) throws Exception {
        send(ws, "type", "auth", "data", Json.object("token", token));
    }

    private static void subscribe(WebSocket ws, String channel) throws Exception {
        send(ws, "type", "subscribe", "data", Json.object("channel", channel));
    }

    private static void assertError(WebSocket ws, String messagePart) throws Exception {
        Map<String, Object> m = nextJson(ws);
        assertThat(m).containsEntry("type", "error");
        assertThat((String) m.get("message")).contains(messagePart);
    }

    /** Authenticated and subscribed to ticker_btc. */
    private WebSocket subscriber() throws Exception {
        WebSocket ws = connect();
        auth(ws, "demo");
        assertThat(nextJson(ws)).isEqualTo(Map.of("type", "auth_ok"));
        subscribe(ws, "ticker_btc");
        assertThat(nextJson(ws)).containsEntry("type", "subscribed").containsEntry("channel", "ticker_btc");
        // The subscription takes effect just after the answer; messages are handled in order, so
        // once a later ping is answered, it has.
        send(ws, "type", "ping", "seq", 0);
        assertThat(nextJson(ws, "pong")).containsEntry("seq", 0L);
        return ws;
    }

    @Test
    void anyNonEmptyTokenIsAcceptedWhenNoneIsConfigured() throws Exception {
        start(null, NEVER);
        WebSocket ws = connect();

        auth(ws, "");
        assertError(ws, "token");
        send(ws, "type", "auth");
        assertError(ws, "token");
        auth(ws, "anything");
        assertThat(nextJson(ws)).isEqualTo(Map.of("type", "auth_ok"));
    }

    @Test
    void onlyTheConfiguredTokenIsAcceptedWhenOneIs() throws Exception {
        start("open sesame", NEVER);
        WebSocket ws = connect();

        auth(ws, "guess");
        assertError(ws, "invalid token");
        subscribe(ws, "ticker_btc");
        assertError(ws, "authenticate first");
        auth(ws, "open sesame");
        assertThat(nextJson(ws)).isEqualTo(Map.of("type", "auth_ok"));
    }

    @Test
    void subscribingNeedsAuthFirst() throws Exception {
        start(null, NEVER);
        WebSocket ws = connect();

        subscribe(ws, "ticker_btc");

        assertError(ws, "authenticate first");
        assertThat(app.registry().size("ticker_btc")).isZero();
    }

    @Test
    void aSubscriberGetsEveryTickWithPriceTimeAndBook() throws Exception {
        start(null, NEVER);
        WebSocket ws = subscriber();

        app.ticker().tick();
        app.ticker().tick();

        Map<String, Object> first = nextJson(ws);
        Map<String, Object> second = nextJson(ws);
        for (Map<String, Object> tick : List.of(first, second)) {
            assertThat(tick).containsEntry("type", "ticker").containsEntry("channel", "ticker_btc")
                    .containsKeys("price", "time", "book");
            assertThat(tick.get("time")).isInstanceOf(Long.class);
            double price = ((Number) tick.get("price")).doubleValue();
            assertThat(price).isBetween(30_000.0, 60_000.0);
            assertThat(BigDecimal.valueOf(price).scale()).isLessThanOrEqualTo(2);
            assertBookAround(tick.get("book"), price);
        }
        assertThat(first.get("price")).isNotEqualTo(second.get("price"));
    }

    @SuppressWarnings("unchecked")
    private static void assertBookAround(Object book, double price) {
        Map<String, Object> b = (Map<String, Object>) book;
        List<List<Number>> bids = (List<List<Number>>) b.get("bids");
        List<List<Number>> asks = (List<List<Number>>) b.get("asks");
        assertThat(bids).hasSize(Ticker.BOOK_DEPTH);
        assertThat(asks).hasSize(Ticker.BOOK_DEPTH);
        List<Double> bidPrices = new ArrayList<>();
        List<Double> askPrices = new ArrayList<>();
        bids.forEach(level -> bidPrices.add(level.get(0).doubleValue()));
        asks.forEach(level -> askPrices.add(level.get(0).doubleValue()));
        assertThat(bidPrices).isSortedAccordingTo((x, y) -> Double.compare(y, x)).allMatch(p -> p < price);
        assertThat(askPrices).isSorted().allMatch(p -> p > price);
        for (List<Number> level : bids) {
            assertThat(level.get(1).doubleValue()).isPositive();
        }
    }

    @Test
    void theSubscribedAnswerCarriesTheRecentHistory() throws Exception {
        start(null, NEVER);
        String t1 = app.ticker().tick();
        String t2 = app.ticker().tick();
        WebSocket ws = connect();
        auth(ws, "demo");
        nextJson(ws, "auth_ok");

        subscribe(ws, "ticker_btc");

        @SuppressWarnings("unchecked")
        List<List<Object>> history = (List<List<Object>>) nextJson(ws).get("history");
        assertThat(history).hasSize(2);
        assertThat(history.get(0)).containsExactly(Json.parseObject(t1).get("time"), Json.parseObject(t1).get("price"));
        assertThat(history.get(1)).containsExactly(Json.parseObject(t2).get("time"), Json.parseObject(t2).get("price"));
    }

    @Test
    void afterUnsubscribingNoMoreTicksCome() throws Exception {
        start(null, NEVER);
        WebSocket ws = subscriber();

        send(ws, "type", "unsubscribe", "data", Json.object("channel", "ticker_btc"));
        assertThat(nextJson(ws)).isEqualTo(Map.of("type", "unsubscribed", "channel", "ticker_btc"));
        app.ticker().tick();
        send(ws, "type", "ping", "seq", 1);

        // A tick queued for it would have come before the pong.
        assertThat(nextJson(ws)).isEqualTo(Map.of("type", "pong", "seq", 1L));
        send(ws, "type", "unsubscribe", "data", Json.object("channel", "ticker_btc"));
        assertError(ws, "not subscribed");
    }

    @Test
    void aPingIsAnsweredWithAPongCarryingItsSeq() throws Exception {
        start(null, NEVER);
        WebSocket ws = connect();

        send(ws, "type", "ping", "seq", 7);
        assertThat(nextJson(ws)).isEqualTo(Map.of("type", "pong", "seq", 7L));
        send(ws, "type", "ping", "seq", "abc");
        assertThat(nextJson(ws)).isEqualTo(Map.of("type", "pong", "seq", "abc"));
        send(ws, "type", "ping");
        assertThat(nextJson(ws)).isEqualTo(Map.of("type", "pong"));
    }

    @Test
    void invalidMessagesAreErrorsAndNeverDropTheConnection() throws Exception {
        start(null, NEVER);
        WebSocket ws = connect();

        ws.sendText("}{");
        assertError(ws, "invalid JSON");
        ws.sendText("\"just a string\"");
        assertError(ws, "object");
        send(ws, "type", 5);
        assertError(ws, "type");
        send(ws, "type", "launch");
        assertError(ws, "unknown type");
        auth(ws, "t");
        nextJson(ws, "auth_ok");
        subscribe(ws, "ticker_eth");
        assertError(ws, "unknown channel");
        send(ws, "type", "subscribe", "data", "ticker_btc");
        assertError(ws, "channel");
        ws.sendBinary(new byte[] {0});
        assertError(ws, "binary");

        send(ws, "type", "ping", "seq", 99);
        assertThat(nextJson(ws)).containsEntry("type", "pong");
        assertThat(ws.isOpen()).isTrue();
    }

    @Test
    void theTickerPublishesByItselfAndStopsWithTheServer() throws Exception {
        start(null, Duration.ofMillis(20));
        WebSocket ws = subscriber();

        for (int i = 0; i < 3; i++) {
            assertThat(nextJson(ws, "ticker")).containsEntry("channel", "ticker_btc");
        }
        assertThat(app.ticker().isRunning()).isTrue();

        server.stop(Duration.ofSeconds(2));

        assertThat(app.ticker().awaitStopped(Duration.ofSeconds(5))).isTrue();
        assertThat(app.ticker().isRunning()).isFalse();
    }

    /** The tutorial's three requests, byte for byte as it writes them (spaces after the colons and commas). */
    @Test
    void theTutorialsRequestsAsWrittenAreAnswered() throws Exception {
        start(null, NEVER);
        WebSocket ws = connect();

        ws.sendText("{\"type\": \"auth\", \"data\": {\"token\": \"xxx\"}}");
        assertThat(nextJson(ws)).isEqualTo(Map.of("type", "auth_ok"));
        ws.sendText("{\"type\":\"subscribe\",\"data\":{\"channel\":\"ticker_btc\"}}");
        assertThat(nextJson(ws)).containsEntry("type", "subscribed").containsEntry("channel", "ticker_btc");
        ws.sendText("{\n  \"type\": \"ping\",\n  \"seq\": 123\n}");
        assertThat(nextJson(ws, "pong")).isEqualTo(Map.of("type", "pong", "seq", 123L));
        app.ticker().tick();
        assertThat(nextJson(ws)).containsEntry("type", "ticker").containsEntry("channel", "ticker_btc");
        // The tutorial's example channel name is not one of ours: said so, and the connection stays.
        ws.sendText("{\"type\": \"subscribe\", \"data\": {\"channel\": \"stock_btc_usd\"}}");
        assertError(ws, "unknown channel \"stock_btc_usd\"; channels: ticker_btc");
        assertThat(ChannelsApp.DEFAULT_PORT).isEqualTo(8765);
    }

    @Test
    void theSameSeedGivesTheSamePrices() {
        Ticker a = new Ticker(new BroadcastRegistry(), NEVER, 7);
        Ticker b = new Ticker(new BroadcastRegistry(), NEVER, 7);
        for (int i = 0; i < 20; i++) {
            assertThat(Json.parseObject(a.tick()).get("price")).isEqualTo(Json.parseObject(b.tick()).get("price"));
        }
        assertThat(a.history()).hasSize(20);
        for (int i = 0; i < 100; i++) {
            a.tick();
        }
        assertThat(a.history()).hasSize(Ticker.HISTORY);
    }
}
