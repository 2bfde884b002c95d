package io.loomsocket.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code demo --trust-proxy}: the addresses it takes (comma-separated or repeated), the refusal of
 * anything else before a server starts, and its help. (What it does to a connection behind
 * nginx: {@code NginxProxyIT}; as the systemd unit runs it: {@code SystemdUnitIT}.)
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class DemoTrustProxyTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(outBytes, true, StandardCharsets.UTF_8),
                new PrintStream(errBytes, true, StandardCharsets.UTF_8));
    }

    @Test
    void theAddressesComeCommaSeparatedOrRepeated() {
        Args args = Args.parse(new String[] {"demo", "--trust-proxy", "127.0.0.1, ::1", "--trust-proxy", "192.0.2.1"}, 1, List.of());

        assertThat(DemoCommand.trustedProxies(args)).containsExactly("127.0.0.1", "::1", "192.0.2.1");
        assertThat(DemoCommand.trustedProxies(Args.parse(new String[] {"demo"}, 1, List.of()))).isEmpty();
    }

    @Test
    void aHostNameOrAnEmptyEntryExitsTwoNamingTheOption() {
        assertThat(run("demo", "--port", "0", "--trust-proxy", "nginx.internal")).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8)).isEqualTo("loomsocket: --trust-proxy: not an IP address:"
                + " \"nginx.internal\" (name each proxy by its address, such as 127.0.0.1)\n");

        errBytes.reset();
        assertThat(run("demo", "--port", "0", "--trust-proxy", "127.0.0.1,")).isEqualTo(2);
        assertThat(errBytes.toString(StandardCharsets.UTF_8))
                .isEqualTo("loomsocket: --trust-proxy needs IP addresses, comma-separated: \"127.0.0.1,\"\n");
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).as("no server started").isEmpty();
    }

    @Test
    void theHelpSaysWhatItIsForAndWhyItIsOff() {
        assertThat(run("demo", "--help")).isZero();
        assertThat(outBytes.toString(StandardCharsets.UTF_8)).contains("[--trust-proxy 127.0.0.1]")
                .contains("--trust-proxy ADDR[,ADDR...]: behind a reverse proxy at these IP addresses")
                .contains("anyone who can reach the port directly could send that header");
    }
}
