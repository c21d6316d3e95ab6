package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.webhook.WebhookCheck.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookVerifierTest {
    private static final byte[] SECRET = "whsec-test-secret-0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-01-15T10:00:00Z");
    private static final WebhookVerifier VERIFIER = WebhookVerifier.create(Clock.fixed(NOW, ZoneOffset.UTC));

    // ---- RFC 4231 test vectors for the HMAC primitive (case 5 tests truncation, which is not used)

    @ParameterizedTest(name = "RFC 4231 case {0}")
    @CsvSource({
        "1, 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b, 4869205468657265, "
            + "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        "2, 4a656665, 7768617420646f2079612077616e7420666f72206e6f7468696e673f, "
            + "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        "3, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, " + "REPEAT:dd:50, "
            + "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        "4, 0102030405060708090a0b0c0d0e0f10111213141516171819, REPEAT:cd:50, "
            + "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        "6, REPEAT:aa:131, TEXT:Test Using Larger Than Block-Size Key - Hash Key First, "
            + "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        "7, REPEAT:aa:131, TEXT:This is a test using a larger than block-size key and a larger than block-size data."
            + " The key needs to be hashed before being used by the HMAC algorithm., "
            + "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    })
    void hmacSha256WhenRfc4231VectorThenMatches(int testCase, String key, String data, String expected) {
        assertThat(HexFormat.of().formatHex(WebhookVerifier.hmacSha256(bytes(key), bytes(data))))
                .as("RFC 4231 test case %d", testCase)
                .isEqualTo(expected);
    }

    private static byte[] bytes(String spec) {
        if (spec.startsWith("REPEAT:")) {
            String[] parts = spec.split(":");
            return HexFormat.of().parseHex(parts[1].repeat(Integer.parseInt(parts[2])));
        }
        if (spec.startsWith("TEXT:")) {
            return spec.substring("TEXT:".length()).getBytes(StandardCharsets.US_ASCII);
        }
        return HexFormat.of().parseHex(spec);
    }

    // ---- JWT: accepted

    @Test
    void verifyJwtWhenTokenBuiltIndependentlyThenAcceptedWithPayload() {
        String token = jws("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", "{\"call_id\":6051239432331264,\"state\":\"ringing\"}",
                SECRET);

        WebhookCheck check = VERIFIER.verifyJwt(token.getBytes(StandardCharsets.US_ASCII), SECRET);

        assertThat(check).isInstanceOfSatisfying(WebhookCheck.Accepted.class, accepted -> assertThat(accepted.payload())
                .containsEntry("call_id", 6051239432331264L)
                .containsEntry("state", "ringing"));
    }

    @Test
    void verifyJwtWhenRfc7515AppendixA1ThenAccepted() {
        byte[] key = Base64.getUrlDecoder().decode(
                "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
        String token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
                + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
                + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        // the example's exp is 1300819380 (2011-03-22T18:43:00Z): verify as of a moment before it
        WebhookVerifier before = WebhookVerifier.create(Clock.fixed(Instant.ofEpochSecond(1_300_819_000L), ZoneOffset.UTC));

        WebhookCheck check = before.verifyJwt(token.getBytes(StandardCharsets.US_ASCII), key);

        assertThat(check).isInstanceOfSatisfying(WebhookCheck.Accepted.class, accepted -> assertThat(accepted.payload())
                .containsEntry("iss", "joe")
                .containsEntry("exp", 1_300_819_380L)
                .containsEntry("http://example.com/is_root", true));
        assertThat(VERIFIER.verifyJwt(token.getBytes(StandardCharsets.US_ASCII), key))
                .isEqualTo(new WebhookCheck.Rejected(Reason.EXPIRED));
    }

    @Test
    void verifyJwtWhenSurroundedByWhitespaceThenAccepted() {
        String token = jws("{\"alg\":\"HS256\"}", "{\"a\":1}", SECRET);
        assertThat(VERIFIER.verifyJwt(("\r\n " + token + " \n").getBytes(StandardCharsets.US_ASCII), SECRET))
                .isInstanceOf(WebhookCheck.Accepted.class);
    }

    @Test
    void verifyJwtWhenSecretGivenAsStringThenItsUtf8BytesAreTheKey() {
        String secret = "sécret-ñ";
        String token = jws("{\"alg\":\"HS256\"}", "{\"a\":1}", secret.getBytes(StandardCharsets.UTF_8));
        assertThat(VERIFIER.verifyJwt(token.getBytes(StandardCharsets.US_ASCII), secret))
                .isInstanceOf(WebhookCheck.Accepted.class);
    }

    // ---- JWT: expiry

    @Test
    void verifyJwtWhenExpWithinLeewayThenAcceptedAndBeyondThenExpired() {
        long now = NOW.getEpochSecond();
        String fresh = jws("{\"alg\":\"HS256\"}", "{\"exp\":" + (now + 60) + "}", SECRET);
        String withinLeeway = jws("{\"alg\":\"HS256\"}", "{\"exp\":" + (now - 60) + "}", SECRET);
        String expired = jws("{\"alg\":\"HS256\"}", "{\"exp\":" + (now - 121) + "}", SECRET);
        String lastSecond = jws("{\"alg\":\"HS256\"}", "{\"exp\":" + (now - 119) + "}", SECRET);
        String firstSecondPast = jws("{\"alg\":\"HS256\"}", "{\"exp\":" + (now - 120) + "}", SECRET);

        assertThat(verify(fresh)).isInstanceOf(WebhookCheck.Accepted.class);
        assertThat(verify(withinLeeway)).isInstanceOf(WebhookCheck.Accepted.class);
        assertThat(verify(lastSecond)).isInstanceOf(WebhookCheck.Accepted.class);
        assertThat(verify(firstSecondPast)).isEqualTo(new WebhookCheck.Rejected(Reason.EXPIRED));
        assertThat(verify(expired)).isEqualTo(new WebhookCheck.Rejected(Reason.EXPIRED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e9999999", "1E+9999999", "-1e9999999", "1736935200.5", "1.7369352E9", "1e3",
            "253402300800", "-253402300800", "9223372036854775807", "99999999999999999999999999999999999999999"})
    void verifyJwtWhenExpIsFractionalExponentOrOutOfRangeThenMalformed(String exp) {
        assertThat(verify(jws("{\"alg\":\"HS256\"}", "{\"exp\":" + exp + "}", SECRET)))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    @Test
    void verifyJwtWhenExpIsNotANumberThenMalformed() {
        assertThat(verify(jws("{\"alg\":\"HS256\"}", "{\"exp\":\"tomorrow\"}", SECRET)))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    // ---- JWT: algorithm

    @Test
    void verifyJwtWhenAlgorithmIsNoneWithEmptySignatureThenRejected() {
        String token = b64("{\"alg\":\"none\"}") + "." + b64("{\"a\":1}") + ".";
        assertThat(verify(token)).isEqualTo(new WebhookCheck.Rejected(Reason.UNSUPPORTED_ALGORITHM));
    }

    @Test
    void verifyJwtWhenAlgorithmIsNoneWithSignatureThenRejected() {
        // even carrying a valid HS256 MAC, a token that says "none" is refused
        String token = jws("{\"alg\":\"none\"}", "{\"a\":1}", SECRET);
        assertThat(verify(token)).isEqualTo(new WebhookCheck.Rejected(Reason.UNSUPPORTED_ALGORITHM));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"alg\":\"HS512\"}", "{\"alg\":\"RS256\"}", "{\"alg\":\"hs256\"}", "{\"typ\":\"JWT\"}",
        "{\"alg\":null}", "{\"alg\":[\"HS256\"]}", "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}",
        "{\"alg\":\"HS256\",\"b64\":false,\"crit\":[\"b64\"]}"})
    void verifyJwtWhenAlgorithmIsNotPlainHs256ThenUnsupported(String header) {
        assertThat(verify(jws(header, "{\"a\":1}", SECRET)))
                .isEqualTo(new WebhookCheck.Rejected(Reason.UNSUPPORTED_ALGORITHM));
    }

    // ---- JWT: signature

    @Test
    void verifyJwtWhenPayloadTamperedThenBadSignature() {
        String token = jws("{\"alg\":\"HS256\"}", "{\"app\":\"a\"}", SECRET);
        String[] parts = token.split("\\.");
        String tampered = parts[0] + "." + b64("{\"app\":\"b\"}") + "." + parts[2];
        assertThat(verify(tampered)).isEqualTo(new WebhookCheck.Rejected(Reason.BAD_SIGNATURE));
    }

    @Test
    void verifyJwtWhenWrongSecretThenBadSignature() {
        String token = jws("{\"alg\":\"HS256\"}", "{\"a\":1}", "another-secret".getBytes(StandardCharsets.UTF_8));
        assertThat(verify(token)).isEqualTo(new WebhookCheck.Rejected(Reason.BAD_SIGNATURE));
    }

    @Test
    void verifyJwtWhenSignatureIsTruncatedThenBadSignature() {
        String token = jws("{\"alg\":\"HS256\"}", "{\"a\":1}", SECRET);
        String truncated = token.substring(0, token.length() - 11);
        assertThat(verify(truncated)).isEqualTo(new WebhookCheck.Rejected(Reason.BAD_SIGNATURE));
    }

    @Test
    void verifyJwtWhenSecretIsEmptyThenNothingVerifies() {
        String token = jws("{\"alg\":\"HS256\"}", "{\"a\":1}", SECRET);
        assertThat(VERIFIER.verifyJwt(token.getBytes(StandardCharsets.US_ASCII), new byte[0]))
                .isEqualTo(new WebhookCheck.Rejected(Reason.BAD_SIGNATURE));
        assertThat(VERIFIER.verifyJwt(token.getBytes(StandardCharsets.US_ASCII), ""))
                .isEqualTo(new WebhookCheck.Rejected(Reason.BAD_SIGNATURE));
    }

    // ---- JWT: malformed

    @Test
    void verifyJwtWhenTwoOrFourSegmentsThenMalformed() {
        String token = jws("{\"alg\":\"HS256\"}", "{\"a\":1}", SECRET);
        String[] parts = token.split("\\.");
        assertThat(verify(parts[0] + "." + parts[1])).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(token + "." + parts[2])).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(token + ".")).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify("")).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify("..")).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    @Test
    void verifyJwtWhenBadBase64ThenMalformed() {
        String token = jws("{\"alg\":\"HS256\"}", "{\"a\":1}", SECRET);
        String[] parts = token.split("\\.");
        // 16 bytes of header need padding when padding is used
        String padded = Base64.getUrlEncoder().encodeToString("{\"alg\":\"HS256\"} ".getBytes(StandardCharsets.UTF_8));
        assertThat(padded).endsWith("=");

        assertThat(verify(padded + "." + parts[1] + "." + parts[2])).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(parts[0] + "." + parts[1] + "." + parts[2] + "="))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(parts[0].replace('y', '+') + "." + parts[1] + "." + parts[2]))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(parts[0] + "." + parts[1] + "!" + "." + parts[2]))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(parts[0] + "." + parts[1] + "." + parts[2].substring(0, 42) + "é"))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        // a 5-character segment (length 1 modulo 4) cannot be base64url
        assertThat(verify(parts[0] + "." + "abcde" + "." + parts[2])).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    @Test
    void verifyJwtWhenSignatureSpelledNonCanonicallyThenMalformed() {
        String token = jws("{\"alg\":\"HS256\"}", "{\"a\":1}", SECRET);
        // 43 characters carry 258 bits for 256: the last character's two low bits must be zero
        char last = token.charAt(token.length() - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char sibling = alphabet.charAt(alphabet.indexOf(last) | 1);
        assertThat(verify(token.substring(0, token.length() - 1) + sibling))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    @Test
    void verifyJwtWhenHeaderIsNotJsonThenMalformed() {
        assertThat(verify(jws("not json", "{\"a\":1}", SECRET))).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(jws("[\"HS256\"]", "{\"a\":1}", SECRET))).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(jws("{\"alg\":\"HS256\",\"alg\":\"none\"}", "{\"a\":1}", SECRET)))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    @Test
    void verifyJwtWhenPayloadIsNotAJsonObjectThenMalformed() {
        assertThat(verify(jws("{\"alg\":\"HS256\"}", "[1,2]", SECRET))).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(jws("{\"alg\":\"HS256\"}", "\"text\"", SECRET)))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(jws("{\"alg\":\"HS256\"}", "{\"a\":", SECRET))).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    // ---- JWT: hostile shapes, refused before they cost anything

    @Test
    void verifyJwtWhenHeaderIsANumberBombThenMalformedBeforeAnyDecoding() {
        String digits = "9".repeat(780_000);
        String header = b64("{\"alg\":\"HS256\",\"n\":" + digits + "}");

        assertThat(verify(header + "." + b64("{\"a\":1}") + "." + "A".repeat(43)))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(jws("{\"alg\":\"HS256\",\"n\":" + digits + "}", "{\"a\":1}", SECRET)))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    @Test
    void verifyJwtWhenHeaderIsJustOverOneKibibyteThenMalformedAndJustUnderThenRead() {
        // 768 bytes of JSON encode to 1024 characters, 771 to 1028
        String under = "{\"alg\":\"HS256\",\"p\":\"" + "x".repeat(768 - 22) + "\"}";
        String over = "{\"alg\":\"HS256\",\"p\":\"" + "x".repeat(771 - 22) + "\"}";
        assertThat(b64(under)).hasSize(WebhookVerifier.MAX_HEADER_SEGMENT);
        assertThat(b64(over)).hasSize(WebhookVerifier.MAX_HEADER_SEGMENT + 4);

        assertThat(verify(jws(under, "{\"a\":1}", SECRET))).isInstanceOf(WebhookCheck.Accepted.class);
        assertThat(verify(jws(over, "{\"a\":1}", SECRET))).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    @Test
    void verifyJwtWhenHeaderNestsTooDeepOrRepeatsKeysThenMalformed() {
        assertThat(verify(jws("[".repeat(700), "{\"a\":1}", SECRET)))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(jws("{\"alg\":\"HS256\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}", "{\"a\":1}",
                SECRET))).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(verify(jws("{\"alg\":\"HS256\"" + ",\"k\":1".repeat(50) + "}", "{\"a\":1}", SECRET)))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    @Test
    void verifyJwtWhenBadlySignedPayloadIsABombThenBadSignatureWithoutParsingIt() {
        byte[] wrong = "not-the-secret".getBytes(StandardCharsets.UTF_8);
        for (String bomb : payloadBombs()) {
            assertThat(verify(jws("{\"alg\":\"HS256\"}", bomb, wrong))).isEqualTo(
                    new WebhookCheck.Rejected(Reason.BAD_SIGNATURE));
        }
    }

    @Test
    void verifyJwtWhenSignedPayloadIsABombThenMalformed() {
        for (String bomb : payloadBombs()) {
            assertThat(verify(jws("{\"alg\":\"HS256\"}", bomb, SECRET))).isEqualTo(
                    new WebhookCheck.Rejected(Reason.MALFORMED));
        }
    }

    @Test
    void verifyLegacyWhenBodyIsABombThenBadSignatureUnsignedAndMalformedSigned() {
        for (String bomb : payloadBombs()) {
            byte[] body = bomb.getBytes(StandardCharsets.UTF_8);
            assertThat(VERIFIER.verifyLegacy(body, "00".repeat(32), SECRET))
                    .isEqualTo(new WebhookCheck.Rejected(Reason.BAD_SIGNATURE));
            assertThat(VERIFIER.verifyLegacy(body, HexFormat.of().formatHex(independentHmac(SECRET, body)), SECRET))
                    .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        }
    }

    /** Payloads that are each refused by a limit of the JSON codec (numbers, nesting, strings, keys). */
    private static List<String> payloadBombs() {
        StringBuilder repeatedKeys = new StringBuilder("{");
        for (int i = 0; i < 20_000; i++) {
            repeatedKeys.append("\"k").append(i % 100).append("\":1,");
        }
        repeatedKeys.append("\"end\":1}");
        return List.of(
                "{\"call_id\":" + "9".repeat(500_000) + "}",
                "{\"date_started\":1." + "5".repeat(500_000) + "}",
                "{\"a\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}",
                "{\"text\":\"" + "a".repeat(JsonCodec.MAX_STRING_LENGTH + 1) + "\"}",
                "{\"state\":\"ringing\",\"state\":\"hangup\"}",
                repeatedKeys.toString());
    }

    @Test
    void verifyJwtWhenBodyIsPlainJsonThenMalformed() {
        assertThat(verify("{\"state\":\"ringing\"}")).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    // ---- legacy x-dialpad-signature

    @Test
    void verifyLegacyWhenHexSignatureInAnyCaseThenAccepted() {
        byte[] body = "{\"call_id\":1,\"state\":\"hangup\"}".getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(independentHmac(SECRET, body));

        assertThat(VERIFIER.verifyLegacy(body, hex, SECRET)).isInstanceOfSatisfying(WebhookCheck.Accepted.class,
                accepted -> assertThat(accepted.payload()).containsEntry("state", "hangup"));
        assertThat(VERIFIER.verifyLegacy(body, hex.toUpperCase(Locale.ROOT), SECRET)).isInstanceOf(WebhookCheck.Accepted.class);
        assertThat(VERIFIER.verifyLegacy(body, " " + hex + " ", SECRET)).isInstanceOf(WebhookCheck.Accepted.class);
    }

    @Test
    void verifyLegacyWhenBase64SignatureStandardOrUrlSafeThenAccepted() {
        // find a body whose MAC has a '+' or '/' in standard base64, so that the url-safe spelling differs
        byte[] body = null;
        byte[] mac = null;
        for (int i = 0; body == null; i++) {
            byte[] candidate = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            byte[] candidateMac = independentHmac(SECRET, candidate);
            String standard = Base64.getEncoder().encodeToString(candidateMac);
            if (standard.indexOf('+') >= 0 || standard.indexOf('/') >= 0) {
                body = candidate;
                mac = candidateMac;
            }
        }
        String standard = Base64.getEncoder().encodeToString(mac);
        String urlSafe = Base64.getUrlEncoder().encodeToString(mac);
        String urlSafeUnpadded = Base64.getUrlEncoder().withoutPadding().encodeToString(mac);

        assertThat(VERIFIER.verifyLegacy(body, standard, SECRET)).isInstanceOf(WebhookCheck.Accepted.class);
        assertThat(VERIFIER.verifyLegacy(body, urlSafe, SECRET)).isInstanceOf(WebhookCheck.Accepted.class);
        assertThat(VERIFIER.verifyLegacy(body, urlSafeUnpadded, SECRET)).isInstanceOf(WebhookCheck.Accepted.class);
    }

    @Test
    void verifyLegacyWhenHeaderMissingThenMissingSignature() {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        assertThat(VERIFIER.verifyLegacy(body, null, SECRET)).isEqualTo(new WebhookCheck.Rejected(Reason.MISSING_SIGNATURE));
        assertThat(VERIFIER.verifyLegacy(body, "  ", SECRET)).isEqualTo(new WebhookCheck.Rejected(Reason.MISSING_SIGNATURE));
    }

    @Test
    void verifyLegacyWhenSignatureWrongOrGarbageThenBadSignature() {
        byte[] body = "{\"event\":\"test\"}".getBytes(StandardCharsets.UTF_8);
        byte[] mac = independentHmac(SECRET, body);
        byte[] otherBody = "{\"event\":\"tesT\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(VERIFIER.verifyLegacy(otherBody, HexFormat.of().formatHex(mac), SECRET))
                .isEqualTo(new WebhookCheck.Rejected(Reason.BAD_SIGNATURE));
        assertThat(VERIFIER.verifyLegacy(body, "invalid_signature", SECRET))
                .isEqualTo(new WebhookCheck.Rejected(Reason.BAD_SIGNATURE));
        assertThat(VERIFIER.verifyLegacy(body, HexFormat.of().formatHex(mac).substring(2), SECRET))
                .isEqualTo(new WebhookCheck.Rejected(Reason.BAD_SIGNATURE));
        assertThat(VERIFIER.verifyLegacy(body, "sha256=" + HexFormat.of().formatHex(mac), SECRET))
                .isEqualTo(new WebhookCheck.Rejected(Reason.BAD_SIGNATURE));
        assertThat(VERIFIER.verifyLegacy(body, HexFormat.of().formatHex(mac), new byte[0]))
                .isEqualTo(new WebhookCheck.Rejected(Reason.BAD_SIGNATURE));
    }

    @Test
    void verifyLegacyWhenSignedBodyIsNotAJsonObjectThenMalformed() {
        byte[] body = "[1,2,3]".getBytes(StandardCharsets.UTF_8);
        byte[] notJson = "event=test".getBytes(StandardCharsets.UTF_8);
        assertThat(VERIFIER.verifyLegacy(body, HexFormat.of().formatHex(independentHmac(SECRET, body)), SECRET))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
        assertThat(VERIFIER.verifyLegacy(notJson, HexFormat.of().formatHex(independentHmac(SECRET, notJson)), SECRET))
                .isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    @Test
    void checkWhenHeaderPresentThenLegacyElseJwt() {
        byte[] json = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        String token = jws("{\"alg\":\"HS256\"}", "{\"a\":2}", SECRET);

        assertThat(VERIFIER.check(json, HexFormat.of().formatHex(independentHmac(SECRET, json)), SECRET))
                .isEqualTo(new WebhookCheck.Accepted(Map.of("a", 1L)));
        assertThat(VERIFIER.check(token.getBytes(StandardCharsets.US_ASCII), null, SECRET))
                .isEqualTo(new WebhookCheck.Accepted(Map.of("a", 2L)));
        assertThat(VERIFIER.check(json, null, SECRET)).isEqualTo(new WebhookCheck.Rejected(Reason.MALFORMED));
    }

    @Test
    void reasonWhenMalformedThenNotASignatureProblem() {
        assertThat(Reason.MALFORMED.isSignatureProblem()).isFalse();
        assertThat(Reason.BAD_SIGNATURE.isSignatureProblem()).isTrue();
        assertThat(Reason.UNSUPPORTED_ALGORITHM.isSignatureProblem()).isTrue();
    }

    // ---- helpers: an independent JWS builder using javax.crypto directly

    private static WebhookCheck verify(String token) {
        return VERIFIER.verifyJwt(token.getBytes(StandardCharsets.UTF_8), SECRET);
    }

    private static String jws(String headerJson, String payloadJson, byte[] key) {
        String signingInput = b64(headerJson) + "." + b64(payloadJson);
        byte[] mac = independentHmac(key, signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] independentHmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }
}
