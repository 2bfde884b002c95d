package io.loomsocket.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link PayloadLength}: the three length encodings of RFC 6455 §5.2. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PayloadLengthTest {

    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({
            // length,            encoding,       7-bit field, header unmasked, header masked
            "0,                   SEVEN_BIT,      0,   2,  6",
            "1,                   SEVEN_BIT,      1,   2,  6",
            "125,                 SEVEN_BIT,      125, 2,  6",
            "126,                 SIXTEEN_BIT,    126, 4,  8",
            "127,                 SIXTEEN_BIT,    126, 4,  8",
            "65535,               SIXTEEN_BIT,    126, 4,  8",
            "65536,               SIXTY_FOUR_BIT, 127, 10, 14",
            "4294967296,          SIXTY_FOUR_BIT, 127, 10, 14",
            "9223372036854775807, SIXTY_FOUR_BIT, 127, 10, 14",
    })
    void choosesTheMinimalEncodingMarkerAndHeaderSize(long length, PayloadLength encoding, int marker, int unmasked, int masked) {
        assertThat(PayloadLength.forLength(length)).isEqualTo(encoding);
        assertThat(PayloadLength.marker(length)).isEqualTo(marker);
        assertThat(PayloadLength.headerSize(length, false)).isEqualTo(unmasked);
        assertThat(PayloadLength.headerSize(length, true)).isEqualTo(masked);
        assertThat(PayloadLength.ofMarker(marker)).isEqualTo(encoding);
        assertThatCode(() -> encoding.checkDecoded(length)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}: {1} extended bytes, max {2}")
    @CsvSource({
            "SEVEN_BIT,      0, 125",
            "SIXTEEN_BIT,    2, 65535",
            "SIXTY_FOUR_BIT, 8, 9223372036854775807",
    })
    void eachEncodingHasItsExtendedSizeAndMaximum(PayloadLength encoding, int extendedBytes, long max) {
        assertThat(encoding.extendedBytes()).isEqualTo(extendedBytes);
        assertThat(encoding.max()).isEqualTo(max);
        assertThat(PayloadLength.forLength(max)).isEqualTo(encoding);
    }

    @Test
    void theSevenBitFieldMapsToItsEncoding() {
        for (int len7 = 0; len7 <= 125; len7++) {
            assertThat(PayloadLength.ofMarker(len7)).isEqualTo(PayloadLength.SEVEN_BIT);
        }
        assertThat(PayloadLength.ofMarker(126)).isEqualTo(PayloadLength.SIXTEEN_BIT);
        assertThat(PayloadLength.ofMarker(127)).isEqualTo(PayloadLength.SIXTY_FOUR_BIT);
    }

    @ParameterizedTest(name = "{1} in {0}")
    @CsvSource({
            "SIXTEEN_BIT,    0",
            "SIXTEEN_BIT,    125",
            "SIXTY_FOUR_BIT, 0",
            "SIXTY_FOUR_BIT, 125",
            "SIXTY_FOUR_BIT, 126",
            "SIXTY_FOUR_BIT, 65535",
    })
    void rejectsANonMinimallyEncodedLength(PayloadLength encoding, long length) {
        assertThatThrownBy(() -> encoding.checkDecoded(length))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.violation()).isEqualTo(Violation.NON_MINIMAL_LENGTH);
                    assertThat(e.closeCode().code()).isEqualTo(1002);
                });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(longs = {-1, Long.MIN_VALUE, 0x8000_0000_0001_0000L})
    void rejectsASixtyFourBitLengthWithTheTopBitSet(long length) {
        assertThatThrownBy(() -> PayloadLength.SIXTY_FOUR_BIT.checkDecoded(length))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.violation()).isEqualTo(Violation.LENGTH_TOO_LARGE));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(longs = {-1, Long.MIN_VALUE})
    void refusesNegativeLengthsWhenEncoding(long length) {
        assertThatThrownBy(() -> PayloadLength.forLength(length)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PayloadLength.marker(length)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PayloadLength.headerSize(length, true)).isInstanceOf(IllegalArgumentException.class);
    }
}
