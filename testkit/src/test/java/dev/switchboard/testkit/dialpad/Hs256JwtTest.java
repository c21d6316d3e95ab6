package dev.switchboard.testkit.dialpad;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class Hs256JwtTest {
    @Test
    void hmacSha256WhenRfc4231TestCase2ThenMatchesTheVector() {
        byte[] key = "Jefe".getBytes(StandardCharsets.US_ASCII);
        byte[] data = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);

        assertThat(Hs256Jwt.hmacSha256Hex(key, data))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void signWhenRfc7515AppendixA1ThenMatchesTheExampleJws() {
        byte[] header = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8);
        byte[] payload = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"
                .getBytes(StandardCharsets.UTF_8);
        byte[] key = Base64.getUrlDecoder()
                .decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");

        assertThat(Hs256Jwt.sign(header, payload, key)).isEqualTo(
                "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
                        + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxl"
                        + "LmNvbS9pc19yb290Ijp0cnVlfQ"
                        + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    }

    @Test
    void unsecuredWhenBuiltThenHasAlgNoneAndAnEmptySignature() {
        String token = Hs256Jwt.unsecured("{\"call_id\":1}");

        assertThat(token).endsWith(".");
        String header = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
                StandardCharsets.UTF_8);
        assertThat(header).contains("\"alg\":\"none\"");
    }
}
