package dev.switchboard.core.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PkceTest {
    /** RFC 7636 Appendix B. */
    private static final String RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private static final String RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    @Test
    void challengeWhenRfc7636AppendixBVerifierThenMatchesTheRfc() {
        assertThat(Pkce.challengeS256(RFC_VERIFIER)).isEqualTo(RFC_CHALLENGE);
        assertThat(new Pkce.Verifier(RFC_VERIFIER).challenge()).isEqualTo(RFC_CHALLENGE);
    }

    @Test
    void newVerifierWhenRandomBytesAreTheRfcOnesThenGivesTheRfcVerifier() {
        // Appendix B's 32 octets; a SecureRandom that returns them proves the encoding end to end
        int[] octets = {116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77,
            105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121};
        SecureRandom fixed = new SecureRandom() {
            private static final long serialVersionUID = 1L;

            @Override
            public void nextBytes(byte[] bytes) {
                for (int i = 0; i < bytes.length; i++) {
                    bytes[i] = (byte) octets[i];
                }
            }
        };

        Pkce.Verifier verifier = Pkce.using(fixed).newVerifier();

        assertThat(verifier.value()).isEqualTo(RFC_VERIFIER);
        assertThat(verifier.challenge()).isEqualTo(RFC_CHALLENGE);
        assertThat(verifier.method()).isEqualTo("S256");
    }

    @Test
    void newVerifierWhenGeneratedThen43UnreservedCharactersAndDistinct() {
        Pkce pkce = Pkce.using(new SecureRandom());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            Pkce.Verifier verifier = pkce.newVerifier();
            assertThat(verifier.value()).hasSize(43).matches("[A-Za-z0-9_-]+");
            seen.add(verifier.value());
        }
        assertThat(seen).hasSize(100);
    }

    @Test
    void isValidVerifierWhenLengthOrCharsetWrongThenFalse() {
        assertThat(Pkce.isValidVerifier("a".repeat(43))).isTrue();
        assertThat(Pkce.isValidVerifier("a".repeat(128))).isTrue();
        assertThat(Pkce.isValidVerifier("aZ09-._~".repeat(6))).isTrue();
        assertThat(Pkce.isValidVerifier("a".repeat(42))).isFalse();
        assertThat(Pkce.isValidVerifier("a".repeat(129))).isFalse();
        assertThat(Pkce.isValidVerifier("a".repeat(42) + "+")).isFalse();
        assertThat(Pkce.isValidVerifier("a".repeat(42) + "=")).isFalse();
        assertThat(Pkce.isValidVerifier("a".repeat(42) + " ")).isFalse();
        assertThat(Pkce.isValidVerifier("a".repeat(42) + "é")).isFalse();
        assertThat(Pkce.isValidVerifier(null)).isFalse();
    }

    @Test
    void verifierWhenInvalidThenIllegalArgumentWithoutTheValue() {
        String bad = "secret+value".repeat(4);
        assertThatThrownBy(() -> new Pkce.Verifier(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
        assertThatThrownBy(() -> Pkce.challengeS256("short")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringWhenVerifierThenRedacted() {
        assertThat(new Pkce.Verifier(RFC_VERIFIER).toString()).doesNotContain(RFC_VERIFIER).contains("redacted");
    }
}
