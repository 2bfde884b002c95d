package io.loomsocket.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AcceptKeyTest {

    @Test
    void derivesTheAcceptValueOfTheRfcExample() {
        assertThat(AcceptKey.of("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void hashesTheKeyAndGuidToTheSha1BytesGivenInTheRfc() {
        byte[] sha1 = Base64.getDecoder().decode(AcceptKey.of("dGhlIHNhbXBsZSBub25jZQ=="));

        assertThat(HexFormat.of().formatHex(sha1)).isEqualTo("b37a4f2cc0624f1690f64606cf385945b2bec4ea");
    }

    @ParameterizedTest
    @CsvSource({
        // Values cross-checked with an independent implementation (Python hashlib + base64).
        "x3JJHMbDL1EzLkh9GBhXDw==, HSmrc0sMlYUkAGmm5OPpG2HaGWk=",
        "AQIDBAUGBwgJCgsMDQ4PEA==, C/0nmHhBztSRGR1CwL6Tf4ZjwpY=",
    })
    void derivesAcceptValuesForOtherKeys(String key, String accept) {
        assertThat(AcceptKey.of(key)).isEqualTo(accept);
    }

    @Test
    void newKeyIsSixteenRandomBytesInBase64() {
        String key = AcceptKey.newKey(new SplittableRandom(6455));

        assertThat(key).hasSize(24).endsWith("==");
        assertThat(Base64.getDecoder().decode(key)).hasSize(16);
    }

    @Test
    void newKeyDependsOnlyOnTheRandomGenerator() {
        assertThat(AcceptKey.newKey(new SplittableRandom(1))).isEqualTo(AcceptKey.newKey(new SplittableRandom(1)));
        assertThat(AcceptKey.newKey(new SplittableRandom(1))).isNotEqualTo(AcceptKey.newKey(new SplittableRandom(2)));
    }
}
