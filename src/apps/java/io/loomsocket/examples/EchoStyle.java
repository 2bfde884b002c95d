package io.loomsocket.examples;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The echo servers of the tutorials ({@code echo --style S}): how a text message is answered,
 * and each one's port. Binary messages are echoed back unchanged, as binary, in every style.
 * <ul>
 *   <li>{@code server} (the asyncio tutorial's {@code echo}): {@code Server: <text>}, port 8765.
 *   <li>{@code echo} (the real-time tutorial's {@code echo}): {@code Echo: <text>}, port 8765.
 *   <li>{@code huixian} (the data-push tutorial's {@code handle_connection}):
 *       {@code 回显:<text>} (U+56DE U+663E, an ASCII colon, no space), port 12345.
 *   <li>{@code data-received} (the real-time tutorial's advanced {@code handler}): the first
 *       message only, answered {@code Data received as "<text>". time: <local time>}, the time
 *       as Python's {@code str(datetime.now())}; then the connection is closed (1000), port 9999.
 * </ul>
 */
public enum EchoStyle {
    SERVER("server", 8765),
    ECHO("echo", 8765),
    HUIXIAN("huixian", 12345),
    DATA_RECEIVED("data-received", 9999);

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss", Locale.ROOT);

    private final String cliName;
    private final int defaultPort;

    EchoStyle(String cliName, int defaultPort) {
        this.cliName = cliName;
        this.defaultPort = defaultPort;
    }

    /** The name of {@code --style}. */
    public String cliName() {
        return cliName;
    }

    /** The port of the tutorial's server. */
    public int defaultPort() {
        return defaultPort;
    }

    /** Whether the connection is closed (1000) after the first answer. */
    public boolean answersOnce() {
        return this == DATA_RECEIVED;
    }

    /** The answer to the text message {@code text}, at the time {@code clock} says. */
    public String reply(String text, Clock clock) {
        return switch (this) {
            case SERVER -> "Server: " + text;
            case ECHO -> "Echo: " + text;
            case HUIXIAN -> "\u56de\u663e:" + text;
            case DATA_RECEIVED -> "Data received as \"" + text + "\". time: " + pythonStr(LocalDateTime.now(clock));
        };
    }

    /** The style named {@code name} on the command line. */
    public static Optional<EchoStyle> byName(String name) {
        return Arrays.stream(values()).filter(s -> s.cliName.equals(name)).findFirst();
    }

    /** The answer's form, for banners: {@code Server: <text>}, ... */
    public String form() {
        return this == DATA_RECEIVED ? "Data received as \"<text>\". time: <local time>" : reply("<text>", Clock.systemUTC());
    }

    /** Every style's name, for messages: {@code server, echo, huixian, data-received}. */
    public static String names() {
        return Arrays.stream(values()).map(EchoStyle::cliName).collect(Collectors.joining(", "));
    }

    /**
     * A time as Python's {@code str(datetime)}: {@code YYYY-MM-DD HH:MM:SS.ffffff}, microseconds
     * (truncated), and without the {@code .ffffff} when they are 0, as Python omits it.
     */
    static String pythonStr(LocalDateTime time) {
        int micros = time.getNano() / 1000;
        String seconds = SECONDS.format(time);
        return micros == 0 ? seconds : seconds + String.format(Locale.ROOT, ".%06d", micros);
    }
}
