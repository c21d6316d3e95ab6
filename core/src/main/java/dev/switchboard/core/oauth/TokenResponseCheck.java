package dev.switchboard.core.oauth;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * The verdict on a token response (RFC 6749 sections 5.1 and 6): either tokens Switchboard can keep, or the one
 * reason they cannot. Failure messages are fixed sentences: they never quote a token or the provider's body.
 */
public sealed interface TokenResponseCheck {
    /**
     * Checks the answer to an authorization-code exchange: {@code access_token} present, {@code refresh_token}
     * present (Switchboard refreshes in the background, so a connection without one would die within the hour),
     * {@code token_type} {@code bearer} in any case (RFC 6750), {@code expires_in} present and positive. The first
     * failure in that order is reported. Never throws for bad input.
     */
    static TokenResponseCheck ofExchange(TokenResponse response) {
        Objects.requireNonNull(response, "response");
        return check(response, response.refreshToken());
    }

    /**
     * Checks the answer to a refresh (RFC 6749 section 6). A response without a new {@code refresh_token} means the
     * current one stays valid (section 6: the server MAY issue a new one), so {@code currentRefreshToken} is kept;
     * a new one replaces it, as Dialpad rotates refresh tokens.
     */
    static TokenResponseCheck ofRefresh(TokenResponse response, String currentRefreshToken) {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(currentRefreshToken, "currentRefreshToken");
        return check(response, isBlank(response.refreshToken()) ? currentRefreshToken : response.refreshToken());
    }

    private static TokenResponseCheck check(TokenResponse response, String refreshToken) {
        if (isBlank(response.accessToken())) {
            return new Invalid(Failure.MISSING_ACCESS_TOKEN);
        }
        if (isBlank(refreshToken)) {
            return new Invalid(Failure.MISSING_REFRESH_TOKEN);
        }
        if (isBlank(response.tokenType())) {
            return new Invalid(Failure.MISSING_TOKEN_TYPE);
        }
        if (!response.tokenType().strip().toLowerCase(Locale.ROOT).equals("bearer")) {
            return new Invalid(Failure.UNSUPPORTED_TOKEN_TYPE);
        }
        if (response.expiresIn() == null) {
            return new Invalid(Failure.MISSING_EXPIRES_IN);
        }
        if (response.expiresIn() == 0) {
            return new Invalid(Failure.ZERO_EXPIRES_IN);
        }
        if (response.expiresIn() < 0) {
            return new Invalid(Failure.NEGATIVE_EXPIRES_IN);
        }
        return new Valid(response.accessToken(), refreshToken, Duration.ofSeconds(response.expiresIn()));
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    /** Tokens fit to store; {@code toString} redacts both. */
    record Valid(String accessToken, String refreshToken, Duration lifetime) implements TokenResponseCheck {
        public Valid {
            Objects.requireNonNull(accessToken, "accessToken");
            Objects.requireNonNull(refreshToken, "refreshToken");
            Objects.requireNonNull(lifetime, "lifetime");
            if (lifetime.isZero() || lifetime.isNegative()) {
                throw new IllegalArgumentException("a token lifetime must be positive");
            }
        }

        /** When the access token expires, counted from when the response was received. */
        public Instant expiresAt(Instant receivedAt) {
            return receivedAt.plus(lifetime);
        }

        @Override
        public String toString() {
            return "Valid[accessToken=(redacted), refreshToken=(redacted), lifetime=" + lifetime + "]";
        }
    }

    /** The response cannot be used, for {@code failure}. */
    record Invalid(Failure failure) implements TokenResponseCheck {
        public Invalid {
            Objects.requireNonNull(failure, "failure");
        }

        /** A sentence for the error response and the log. */
        public String message() {
            return failure.message();
        }
    }

    /** Each way a token response can be unusable, with a stable code and a human sentence. */
    enum Failure {
        MISSING_ACCESS_TOKEN("Dialpad's token response has no access_token."),
        MISSING_REFRESH_TOKEN("Dialpad's token response has no refresh_token: the offline_access scope must be"
                + " requested (DIALPAD_SCOPES) and granted, then the app connected again."),
        MISSING_TOKEN_TYPE("Dialpad's token response has no token_type."),
        UNSUPPORTED_TOKEN_TYPE("Dialpad's token response has a token_type other than bearer."),
        MISSING_EXPIRES_IN("Dialpad's token response has no expires_in."),
        ZERO_EXPIRES_IN("Dialpad's token response has an expires_in of zero: the token would already be expired."),
        NEGATIVE_EXPIRES_IN("Dialpad's token response has a negative expires_in.");

        private final String message;

        Failure(String message) {
            this.message = message;
        }

        /** The snake_case code, e.g. {@code missing_refresh_token}. */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** One human sentence; never contains a token. */
        public String message() {
            return message;
        }
    }
}
