package dev.switchboard.testkit.dialpad;

import java.time.Instant;
import java.util.Objects;

/**
 * Tokens that {@link FakeDialpad#issueTokens(String, long, String)} granted without a browser flow, for seeding
 * connections in tests and benchmarks. {@code refreshToken} is the grant's current one when issued.
 *
 * <p>{@link #toString()} never shows a token.
 */
public record IssuedTokens(String accessToken, String refreshToken, Instant accessTokenExpiresAt, long organisationId,
                           String scope) {
    public IssuedTokens {
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(accessTokenExpiresAt, "accessTokenExpiresAt");
        Objects.requireNonNull(scope, "scope");
    }

    @Override
    public String toString() {
        return "IssuedTokens[accessToken=<redacted>, refreshToken=<redacted>, accessTokenExpiresAt="
                + accessTokenExpiresAt + ", organisationId=" + organisationId + ", scope=" + scope + "]";
    }
}
