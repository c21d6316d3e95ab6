package dev.switchboard.core.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class BrowserBindingTest {
    private static final String SECRET = "a-session-secret-of-at-least-32-bytes!!";
    private final BrowserBinding binding = BrowserBinding.of(SECRET, new SecureRandom());

    @Test
    void hmacSha256WhenGivenRfc4231TestCase1ThenMatches() {
        byte[] key = new byte[20];
        Arrays.fill(key, (byte) 0x0b);
        byte[] mac = BrowserBinding.hmacSha256(new SecretKeySpec(key, "HmacSHA256"),
                "Hi There".getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(mac))
                .isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }

    @Test
    void hmacSha256WhenGivenRfc4231TestCase2ThenMatches() {
        byte[] mac = BrowserBinding.hmacSha256(
                new SecretKeySpec("Jefe".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"),
                "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(mac))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void verifyWhenCookieWasIssuedHereThenBoundToItsNonceHash() {
        BrowserBinding.Issued issued = binding.issue();
        assertThat(binding.verify(issued.cookieValue())).isEqualTo(new BrowserBinding.Check.Bound(issued.nonceHash()));
        assertThat(issued.cookieValue()).matches("[A-Za-z0-9_-]{43}\\.[A-Za-z0-9_-]{43}");
    }

    @Test
    void issueWhenCalledTwiceThenDifferentNonces() {
        assertThat(binding.issue().nonceHash()).isNotEqualTo(binding.issue().nonceHash());
    }

    @Test
    void verifyWhenCookieMissingThenMissing() {
        assertThat(binding.verify(null)).isEqualTo(unbound(BrowserBinding.Check.Reason.MISSING));
        assertThat(binding.verify("  ")).isEqualTo(unbound(BrowserBinding.Check.Reason.MISSING));
    }

    @Test
    void verifyWhenSignatureTamperedThenBadSignature() {
        String cookie = binding.issue().cookieValue();
        char last = cookie.charAt(cookie.length() - 2);
        String tampered = cookie.substring(0, cookie.length() - 2) + (last == 'A' ? 'B' : 'A')
                + cookie.charAt(cookie.length() - 1);
        assertThat(binding.verify(tampered)).isEqualTo(unbound(BrowserBinding.Check.Reason.BAD_SIGNATURE));
    }

    @Test
    void verifyWhenNonceSwappedThenBadSignature() {
        String first = binding.issue().cookieValue();
        String second = binding.issue().cookieValue();
        String spliced = second.substring(0, second.indexOf('.')) + first.substring(first.indexOf('.'));
        assertThat(binding.verify(spliced)).isEqualTo(unbound(BrowserBinding.Check.Reason.BAD_SIGNATURE));
    }

    @Test
    void verifyWhenSignedWithAnotherSecretThenBadSignature() {
        BrowserBinding other = BrowserBinding.of("another-session-secret-of-32-bytes-or-more", new SecureRandom());
        assertThat(binding.verify(other.issue().cookieValue()))
                .isEqualTo(unbound(BrowserBinding.Check.Reason.BAD_SIGNATURE));
    }

    @Test
    void verifyWhenMalformedThenMalformed() {
        String cookie = binding.issue().cookieValue();
        for (String malformed : new String[] {"no-dot", "." + cookie, cookie + ".x", "!!!.???",
                "c2hvcnQ." + cookie.substring(cookie.indexOf('.') + 1), cookie + "x".repeat(300)}) {
            assertThat(binding.verify(malformed)).as(malformed)
                    .isEqualTo(unbound(BrowserBinding.Check.Reason.MALFORMED));
        }
    }

    @Test
    void ofWhenSecretShorterThan32BytesThenRejected() {
        assertThatThrownBy(() -> BrowserBinding.of("x".repeat(31), new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("xxxx");
    }

    @Test
    void issuedToStringWhenCalledThenRedactsCookie() {
        BrowserBinding.Issued issued = binding.issue();
        assertThat(issued.toString()).doesNotContain(issued.cookieValue()).contains("redacted");
    }

    private static BrowserBinding.Check unbound(BrowserBinding.Check.Reason reason) {
        return new BrowserBinding.Check.Unbound(reason);
    }
}
