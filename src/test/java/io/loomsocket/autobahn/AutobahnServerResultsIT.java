package io.loomsocket.autobahn;

import static io.loomsocket.autobahn.AutobahnResults.path;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The Autobahn|Testsuite fuzzing client against the Loomsocket echo server ({@code java -jar
 * target/loomsocket.jar echo}): the autobahntestsuite-maven-plugin has run the cases in the
 * {@code integration-test} phase, before this IT; here its report is compared, case by case, with
 * the committed baseline {@code src/test/autobahn/expected-server.txt}.
 *
 * <p>The plugin itself fails the build on a FAILED or NON-STRICT case, but not on a missing one (a
 * run cut short still "passes"), nor on a change among INFORMATIONAL or UNIMPLEMENTED cases; this
 * comparison catches those too.
 */
class AutobahnServerResultsIT {

    /** The agent name the plugin reports under. */
    static final String AGENT = "autobahntestsuite-maven-plugin";

    @Test
    void echoServerPassesEveryCase() throws IOException {
        assumeFalse(Boolean.getBoolean("autobahn.skip"), "Autobahn|Testsuite skipped (-Dautobahn.skip)");
        String failure = AutobahnResults.check(
                "Autobahn|Testsuite fuzzing client -> Loomsocket echo server",
                path("autobahn.serverReports"), AGENT,
                path("autobahn.expected").resolve("expected-server.txt"),
                path("autobahn.dir").resolve("server-actual.txt"));
        if (failure != null) {
            fail("Loomsocket echo server, Autobahn|Testsuite fuzzing client:\n" + failure);
        }
    }
}
