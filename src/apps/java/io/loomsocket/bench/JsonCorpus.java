package io.loomsocket.bench;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Deterministic JSON text for the compressed workloads ({@code --payload json-chat|ticker}): a
 * long stream of the messages the seed applications send, from a fixed seed, so a run can check
 * every byte it gets back without keeping what it sent. A message is a slice of the stream
 * (see {@link Payloads.Source}), which compresses the way such traffic does: the same keys and
 * structure again and again, different values.
 *
 * <ul>
 *   <li><b>chat</b>: one line per chat message, {@code {"type":"message","channel":...,"user":...,
 *       "id":...,"ts":...,"text":...}}, words drawn from a small vocabulary, like the seeds'
 *       channel pub/sub;
 *   <li><b>ticker</b>: one line per market snapshot, {@code {"type":"ticker","ts":...,"data":[...]}}
 *       with 40 symbols whose prices walk at random, like the seeds' live tickers.
 * </ul>
 */
final class JsonCorpus {

    private static final String[] WORDS = {
        "the", "deploy", "is", "done", "can", "you", "check", "logs", "on", "node", "two", "please",
        "build", "green", "again", "after", "retry", "looks", "good", "to", "me", "ship", "it", "tomorrow",
        "meeting", "at", "ten", "who", "owns", "this", "ticket", "fixed", "in", "main", "thanks", "latency",
        "spike", "from", "redis", "cluster", "rollback", "not", "needed", "yet", "ok", "great", "lunch",
    };
    private static final String[] CHANNELS = {"general", "random", "ops", "dev", "support", "alerts"};
    private static final String[] SYMBOLS = {
        "BTCUSDT", "ETHUSDT", "BNBUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT", "AVAXUSDT", "DOTUSDT",
        "LINKUSDT", "MATICUSDT", "LTCUSDT", "TRXUSDT", "ATOMUSDT", "UNIUSDT", "ETCUSDT", "XLMUSDT", "FILUSDT",
        "APTUSDT", "ARBUSDT", "OPUSDT", "NEARUSDT", "ICPUSDT", "VETUSDT", "ALGOUSDT", "AAVEUSDT", "EGLDUSDT",
        "SANDUSDT", "MANAUSDT", "AXSUSDT", "THETAUSDT", "XTZUSDT", "EOSUSDT", "FTMUSDT", "GRTUSDT", "RUNEUSDT",
        "KAVAUSDT", "CRVUSDT", "SNXUSDT", "ZECUSDT",
    };

    private JsonCorpus() {}

    /** At least {@code minLength} bytes of chat lines. */
    static byte[] chat(int minLength) {
        SplittableRandom r = new SplittableRandom(7692);
        StringBuilder sb = new StringBuilder(minLength + 256);
        long ts = 1_764_777_600_000L;
        for (long id = 1; sb.length() < minLength; id++) {
            ts += r.nextInt(1, 2_000);
            sb.append("{\"type\":\"message\",\"channel\":\"").append(CHANNELS[r.nextInt(CHANNELS.length)])
                    .append("\",\"user\":\"user").append(r.nextInt(1, 5_000))
                    .append("\",\"id\":").append(id)
                    .append(",\"ts\":").append(ts)
                    .append(",\"text\":\"");
            int words = r.nextInt(3, 25);
            for (int w = 0; w < words; w++) {
                if (w > 0) {
                    sb.append(' ');
                }
                sb.append(WORDS[r.nextInt(WORDS.length)]);
            }
            sb.append("\"}\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** At least {@code minLength} bytes of ticker snapshots. */
    static byte[] ticker(int minLength) {
        SplittableRandom r = new SplittableRandom(6455);
        double[] price = new double[SYMBOLS.length];
        for (int i = 0; i < price.length; i++) {
            price[i] = 0.05 + r.nextDouble() * (i == 0 ? 90_000 : 500);
        }
        StringBuilder sb = new StringBuilder(minLength + 8_192);
        long ts = 1_764_777_600_000L;
        while (sb.length() < minLength) {
            ts += 250;
            sb.append("{\"type\":\"ticker\",\"ts\":").append(ts).append(",\"data\":[");
            for (int i = 0; i < SYMBOLS.length; i++) {
                price[i] *= 1 + (r.nextDouble() - 0.5) / 500;
                double spread = price[i] * 0.0002;
                if (i > 0) {
                    sb.append(',');
                }
                sb.append("{\"s\":\"").append(SYMBOLS[i])
                        .append("\",\"p\":\"").append(decimal(price[i]))
                        .append("\",\"b\":\"").append(decimal(price[i] - spread))
                        .append("\",\"a\":\"").append(decimal(price[i] + spread))
                        .append("\",\"v\":\"").append(String.format(Locale.ROOT, "%.3f", r.nextDouble() * 100_000))
                        .append("\",\"c\":\"").append(String.format(Locale.ROOT, "%+.2f", (r.nextDouble() - 0.5) * 10))
                        .append("\"}");
            }
            sb.append("]}\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String decimal(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.2f" : "%.5f", v);
    }
}
