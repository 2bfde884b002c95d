package io.loomsocket.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link RedisUri#parse}: the forms it accepts, the errors it names, and a toString without the password. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RedisUriTest {

    @Test
    void hostAloneTakesTheDefaults() {
        assertThat(RedisUri.parse("redis://cache.internal"))
                .isEqualTo(new RedisUri("cache.internal", 6379, null, null, "loomsocket", 0));
        assertThat(RedisUri.parse("redis://cache.internal/")).isEqualTo(RedisUri.parse("redis://cache.internal"));
    }

    @Test
    void userPasswordPortAndPrefix() {
        assertThat(RedisUri.parse("redis://bridge:s3cret@10.0.0.5:6380/chat"))
                .isEqualTo(new RedisUri("10.0.0.5", 6380, "bridge", "s3cret", "chat", 0));
    }

    @Test
    void passwordOnly() {
        assertThat(RedisUri.parse("redis://:s3cret@localhost:6379"))
                .isEqualTo(new RedisUri("localhost", 6379, null, "s3cret", "loomsocket", 0));
    }

    @Test
    void thePrefixIsThePathsFirstSegment() {
        assertThat(RedisUri.parse("redis://h/app1/ignored").prefix()).isEqualTo("app1");
        assertThat(RedisUri.parse("redis://h/2").prefix()).as("a number is a prefix too, not a database").isEqualTo("2");
        assertThat(RedisUri.parse("redis://h/2").database()).isZero();
    }

    @Test
    void userAndPasswordArePercentDecoded() {
        RedisUri u = RedisUri.parse("redis://us%40er:p%40ss%3Aw%2Fo+rd%25%C3%A9@h:1");
        assertThat(u.user()).isEqualTo("us@er");
        assertThat(u.password()).isEqualTo("p@ss:w/o+rd%\u00e9");
    }

    @Test
    void aPasswordMayContainAnAtSign() {
        assertThat(RedisUri.parse("redis://u:a@b@h:2").password()).isEqualTo("a@b");
        assertThat(RedisUri.parse("redis://u:a@b@h:2").host()).isEqualTo("h");
    }

    @Test
    void ipv6InBrackets() {
        assertThat(RedisUri.parse("redis://[::1]:7000/p")).isEqualTo(new RedisUri("::1", 7000, null, null, "p", 0));
        assertThat(RedisUri.parse("redis://:pw@[fe80::1]").port()).isEqualTo(6379);
        assertThat(RedisUri.parse("redis://[::1]:7000").toString()).isEqualTo("redis://[::1]:7000/loomsocket");
    }

    @Test
    void schemeIsCaseInsensitive() {
        assertThat(RedisUri.parse("REDIS://h").host()).isEqualTo("h");
    }

    @Test
    void toStringHidesThePassword() {
        assertThat(RedisUri.parse("redis://bridge:s3cret@h:1/x").toString()).isEqualTo("redis://bridge:***@h:1/x")
                .doesNotContain("s3cret");
        assertThat(RedisUri.parse("redis://:s3cret@h:1").toString()).isEqualTo("redis://:***@h:1/loomsocket");
        assertThat(RedisUri.parse("redis://h").toString()).isEqualTo("redis://h:6379/loomsocket");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "http://h                | the scheme must be redis, not http",
        "h:6379                  | not a redis:// URI",
        "rediss://h              | TLS to Redis is not supported yet",
        "redis://                | the host is missing",
        "redis://:pw@            | the host is missing",
        "redis://h:              | bad port ''",
        "redis://h:abc           | bad port 'abc'",
        "redis://h:0             | bad port 0",
        "redis://h:65536         | bad port 65536",
        "redis://h:-1            | bad port '-1'",
        "redis://h:99999999999   | bad port '99999999999'",
        "redis://::1:6379        | an IPv6 address must be in brackets",
        "redis://[::1            | without its closing ']'",
        "redis://[::1]x          | unexpected x after the IPv6 address",
        "redis://h?db=1          | a query or fragment",
        "redis://user@h          | user:password or :password",
        "redis://u:p%4@h         | bad percent-encoding in the password",
        "redis://u%zz:p@h        | bad percent-encoding in the user",
        "redis://u:@h            | the user u has an empty password",
    })
    void errorsNameWhatIsWrong(String uri, String message) {
        assertThatThrownBy(() -> RedisUri.parse(uri)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void errorsNeverQuoteThePassword() {
        for (String uri : new String[] {"redis://u:topsecret@h:abc", "redis://u:topsecret@h?x", "http://u:topsecret@h",
                "redis://u:topsecret%@h", "redis://u:topsecret@::1:5"}) {
            assertThatThrownBy(() -> RedisUri.parse(uri)).isInstanceOf(IllegalArgumentException.class)
                    .message().doesNotContain("topsecret");
        }
    }

    @Test
    void withersKeepTheRest() {
        RedisUri u = RedisUri.of("h", 1).withCredentials("a", "b").withPrefix("p");
        assertThat(u).isEqualTo(new RedisUri("h", 1, "a", "b", "p", 0));
        assertThatThrownBy(() -> new RedisUri("h", 1, null, null, "p", 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("database must be 0");
    }
}
