package io.loomsocket.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Opcode} (RFC 6455 §5.2, §5.5). */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class OpcodeTest {

    @ParameterizedTest(name = "0x{1} {0}")
    @CsvSource({
            "CONTINUATION, 0, false",
            "TEXT,         1, false",
            "BINARY,       2, false",
            "CLOSE,        8, true",
            "PING,         9, true",
            "PONG,         A, true",
    })
    void eachDefinedOpcodeHasItsBitsAndKind(Opcode opcode, String hexBits, boolean control) {
        int bits = Integer.parseInt(hexBits, 16);
        assertThat(opcode.bits()).isEqualTo(bits);
        assertThat(opcode.isControl()).isEqualTo(control);
        assertThat(opcode.isData()).isEqualTo(!control);
        assertThat(Opcode.of(bits)).isSameAs(opcode);
    }

    @ParameterizedTest(name = "0x{0}")
    @ValueSource(ints = {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void everyReservedOpcodeIsRejectedWith1002(int bits) {
        assertThatThrownBy(() -> Opcode.of(bits))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.violation()).isEqualTo(Violation.RESERVED_OPCODE);
                    assertThat(e.closeCode()).isEqualTo(CloseCode.PROTOCOL_ERROR);
                });
    }

    @Test
    void ofReadsOnlyTheLowFourBitsOfTheFirstHeaderByte() {
        assertThat(Opcode.of(0x81)).isEqualTo(Opcode.TEXT);
        assertThat(Opcode.of(0xF2)).isEqualTo(Opcode.BINARY);
        assertThat(Opcode.of(0x8A)).isEqualTo(Opcode.PONG);
        assertThat(Opcode.of(0x70)).isEqualTo(Opcode.CONTINUATION);
        assertThatThrownBy(() -> Opcode.of(0x83)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void exactlySixOfTheSixteenValuesAreDefined() {
        int defined = 0;
        for (int bits = 0; bits < 16; bits++) {
            try {
                Opcode op = Opcode.of(bits);
                assertThat(op.bits()).isEqualTo(bits);
                assertThat(op.isControl()).isEqualTo(bits >= 8);
                defined++;
            } catch (ProtocolException e) {
                assertThat(e.violation()).isEqualTo(Violation.RESERVED_OPCODE);
            }
        }
        assertThat(defined).isEqualTo(6);
        assertThat(Opcode.values()).hasSize(6);
    }
}
