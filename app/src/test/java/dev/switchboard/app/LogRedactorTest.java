package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogRedactorTest {
    private static final String KEY = "raw_" + "0123456789abcdef".repeat(4);
    // the example JWT of RFC 7519 section 3.1
    private static final String JWT = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
            + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
            + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    @Test
    void redactWhenApiKeyThenMaskedButHintKept() {
        String line = LogRedactor.redact("key " + KEY + " hint raw_0123...cdef");

        assertThat(line).doesNotContain(KEY).contains("raw_[REDACTED]").contains("raw_0123...cdef");
    }

    @Test
    void redactWhenBearerOrBasicCredentialsThenMasked() {
        String line = LogRedactor.redact("Authorization: Bearer s3cr3t-internal-value-123 and basic dXNlcjpwYXNzd29yZA==");

        assertThat(line).doesNotContain("s3cr3t-internal-value-123", "dXNlcjpwYXNzd29yZA==");
        assertThat(LogRedactor.redact("An Authorization: Bearer header is required."))
                .isEqualTo("An Authorization: Bearer header is required.");
    }

    @Test
    void redactWhenJwtThenMasked() {
        assertThat(LogRedactor.redact("body " + JWT + " end")).isEqualTo("body [REDACTED] end");
        String opaque = "abcdefghijklmnop1234.qrstuvwxyzABCDEF5678.GHIJKLMNOPQRSTUV9012";
        assertThat(LogRedactor.redact("token " + opaque)).doesNotContain(opaque);
        assertThat(LogRedactor.redact("logger dev.switchboard.persistence.JdbiAppStore at sandbox.dialpad.com"))
                .isEqualTo("logger dev.switchboard.persistence.JdbiAppStore at sandbox.dialpad.com");
    }

    @Test
    void redactWhenQueryOrFormParametersThenValuesMasked() {
        String line = LogRedactor.redact("GET /auth/dialpad/callback?code=AUTHCODE1&state=STATE2 and "
                + "grant_type=authorization_code&code_verifier=VERIFIER3&client_secret=CLIENT4&refresh_token=REFRESH5"
                + "&access_token=ACCESS6 /ws?api_key=KEY7 connect_token=CONNECT8");

        assertThat(line).doesNotContain("AUTHCODE1", "STATE2", "VERIFIER3", "CLIENT4", "REFRESH5", "ACCESS6", "KEY7",
                "CONNECT8").contains("grant_type=authorization_code", "code=[REDACTED]");
        assertThat(LogRedactor.redact("error_code=42 status_code=500")).isEqualTo("error_code=42 status_code=500");
    }

    @Test
    void redactWhenASettingHoldsSeveralCommaSeparatedValuesThenEveryValueIsMasked() {
        String line = LogRedactor.redact("TOKEN_ENCRYPTION_KEYS=new:S2V5TmV3,old:S2V5T2xk "
                + "INTERNAL_API_SECRET=first-value-0123,second-value-4567");

        assertThat(line).doesNotContain("S2V5TmV3", "S2V5T2xk", "first-value-0123", "second-value-4567")
                .contains("TOKEN_ENCRYPTION_KEYS=[REDACTED]", "INTERNAL_API_SECRET=[REDACTED]");
    }

    @Test
    void redactWhenJsonMembersPlainOrEscapedThenValuesMasked() {
        String plain = LogRedactor.redact("{\"access_token\": \"ACCESS1\", \"token_type\":\"bearer\", \"expires_in\":3600}");
        String escaped = LogRedactor.redact("{\"message\":\"body {\\\"refresh_token\\\":\\\"REFRESH2\\\",\\\"x\\\":1}\"}");

        assertThat(plain).doesNotContain("ACCESS1").contains("\"token_type\":\"bearer\"", "\"expires_in\":3600");
        assertThat(escaped).doesNotContain("REFRESH2").contains("\\\"x\\\":1");
    }

    @Test
    void redactWhenCookiesThenValuesMasked() {
        String line = LogRedactor.redact("Cookie: __Host-switchboard_oauth=NONCE1; other=2 | Set-Cookie: "
                + "switchboard_oauth=NONCE2; Path=/; HttpOnly | __Secure-sid=NONCE3");

        assertThat(line).doesNotContain("NONCE1", "NONCE2", "NONCE3");
    }
}
