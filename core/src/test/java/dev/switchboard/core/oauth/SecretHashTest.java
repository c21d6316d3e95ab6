package dev.switchboard.core.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SecretHashTest {
    @Test
    void ofWhenGivenFips180VectorsThenGivesSha256() {
        // FIPS 180-2 Appendix B.1 ("abc") and the digest of the empty message
        assertThat(SecretHash.of("abc").hex())
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(SecretHash.of("").hex())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void fromDigestWhenRoundTrippedThenEqual() {
        SecretHash hash = SecretHash.of("state");
        assertThat(SecretHash.fromDigest(hash.digest())).isEqualTo(hash).hasSameHashCodeAs(hash);
        assertThat(hash.matches(SecretHash.of("other"))).isFalse();
        assertThat(hash.matches(null)).isFalse();
    }

    @Test
    void fromDigestWhenNot32BytesThenRejected() {
        assertThatThrownBy(() -> SecretHash.fromDigest(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringWhenCalledThenShowsOnlyAPrefix() {
        SecretHash hash = SecretHash.of("abc");
        assertThat(hash.toString()).contains("ba7816bf").doesNotContain(hash.hex());
    }
}
