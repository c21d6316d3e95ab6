package dev.switchboard.core.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenResponseCheckTest {
    private static final String ACCESS = "access-token-value-123";
    private static final String REFRESH = "refresh-token-value-456";

    @Test
    void ofExchangeWhenCompleteThenValid() {
        TokenResponseCheck check = TokenResponseCheck.ofExchange(new TokenResponse(ACCESS, REFRESH, "bearer", 3600L));
        assertThat(check).isEqualTo(new TokenResponseCheck.Valid(ACCESS, REFRESH, Duration.ofHours(1)));
        assertThat(((TokenResponseCheck.Valid) check).expiresAt(Instant.EPOCH)).isEqualTo(Instant.ofEpochSecond(3600));
    }

    @Test
    void ofExchangeWhenTokenTypeInAnyCaseThenValid() {
        for (String type : new String[] {"Bearer", "BEARER", "bEaReR"}) {
            assertThat(TokenResponseCheck.ofExchange(new TokenResponse(ACCESS, REFRESH, type, 60L)))
                    .isInstanceOf(TokenResponseCheck.Valid.class);
        }
    }

    @Test
    void ofExchangeWhenAccessTokenMissingOrBlankThenMissingAccessToken() {
        assertThat(failure(new TokenResponse(null, REFRESH, "bearer", 60L)))
                .isEqualTo(TokenResponseCheck.Failure.MISSING_ACCESS_TOKEN);
        assertThat(failure(new TokenResponse(" ", REFRESH, "bearer", 60L)))
                .isEqualTo(TokenResponseCheck.Failure.MISSING_ACCESS_TOKEN);
    }

    @Test
    void ofExchangeWhenRefreshTokenMissingThenMessageNamesOfflineAccess() {
        TokenResponseCheck check = TokenResponseCheck.ofExchange(new TokenResponse(ACCESS, null, "bearer", 60L));
        assertThat(check).isEqualTo(new TokenResponseCheck.Invalid(TokenResponseCheck.Failure.MISSING_REFRESH_TOKEN));
        assertThat(((TokenResponseCheck.Invalid) check).message()).contains("offline_access").doesNotContain(ACCESS);
    }

    @Test
    void ofExchangeWhenTokenTypeMissingOrNotBearerThenDistinctFailures() {
        assertThat(failure(new TokenResponse(ACCESS, REFRESH, null, 60L)))
                .isEqualTo(TokenResponseCheck.Failure.MISSING_TOKEN_TYPE);
        assertThat(failure(new TokenResponse(ACCESS, REFRESH, "mac", 60L)))
                .isEqualTo(TokenResponseCheck.Failure.UNSUPPORTED_TOKEN_TYPE);
    }

    @Test
    void ofExchangeWhenExpiresInMissingZeroOrNegativeThenDistinctFailures() {
        assertThat(failure(new TokenResponse(ACCESS, REFRESH, "bearer", null)))
                .isEqualTo(TokenResponseCheck.Failure.MISSING_EXPIRES_IN);
        assertThat(failure(new TokenResponse(ACCESS, REFRESH, "bearer", 0L)))
                .isEqualTo(TokenResponseCheck.Failure.ZERO_EXPIRES_IN);
        assertThat(failure(new TokenResponse(ACCESS, REFRESH, "bearer", -1L)))
                .isEqualTo(TokenResponseCheck.Failure.NEGATIVE_EXPIRES_IN);
    }

    @Test
    void failuresWhenListedThenEachHasItsOwnCodeAndMessage() {
        TokenResponseCheck.Failure[] failures = TokenResponseCheck.Failure.values();
        Set<String> messages = new HashSet<>();
        Arrays.stream(failures).forEach(failure -> messages.add(failure.message()));
        assertThat(messages).hasSize(failures.length);
        assertThat(TokenResponseCheck.Failure.MISSING_REFRESH_TOKEN.code()).isEqualTo("missing_refresh_token");
    }

    @Test
    void ofRefreshWhenNoNewRefreshTokenThenKeepsTheCurrentOne() {
        TokenResponseCheck check = TokenResponseCheck.ofRefresh(new TokenResponse(ACCESS, null, "bearer", 60L), REFRESH);
        assertThat(check).isEqualTo(new TokenResponseCheck.Valid(ACCESS, REFRESH, Duration.ofSeconds(60)));
    }

    @Test
    void ofRefreshWhenRotatedThenTakesTheNewOne() {
        TokenResponseCheck check =
                TokenResponseCheck.ofRefresh(new TokenResponse(ACCESS, "rotated", "bearer", 60L), REFRESH);
        assertThat(((TokenResponseCheck.Valid) check).refreshToken()).isEqualTo("rotated");
    }

    @Test
    void toStringWhenHoldingTokensThenRedacted() {
        TokenResponse response = new TokenResponse(ACCESS, REFRESH, "bearer", 60L);
        assertThat(response.toString()).doesNotContain(ACCESS).doesNotContain(REFRESH).contains("bearer");
        assertThat(TokenResponseCheck.ofExchange(response).toString()).doesNotContain(ACCESS).doesNotContain(REFRESH);
    }

    private static TokenResponseCheck.Failure failure(TokenResponse response) {
        return ((TokenResponseCheck.Invalid) TokenResponseCheck.ofExchange(response)).failure();
    }
}
