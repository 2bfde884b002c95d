package io.loomsocket.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which failures of a handler outlive its connection. */
class FatalErrorsTest {

    @Test
    void theJvmsOwnErrorsPropagate() {
        assertThat(FatalErrors.mustPropagate(new OutOfMemoryError("Java heap space"))).isTrue();
        assertThat(FatalErrors.mustPropagate(new InternalError())).isTrue();
        assertThat(FatalErrors.mustPropagate(new UnknownError())).isTrue();
    }

    @Test
    void aStackOverflowAndTheApplicationsOwnFailuresStayWithTheirConnection() {
        assertThat(FatalErrors.mustPropagate(new StackOverflowError())).isFalse();
        assertThat(FatalErrors.mustPropagate(new AssertionError())).isFalse();
        assertThat(FatalErrors.mustPropagate(new NoClassDefFoundError())).isFalse();
        assertThat(FatalErrors.mustPropagate(new IllegalStateException())).isFalse();
        assertThat(FatalErrors.mustPropagate(new Exception())).isFalse();
    }
}
