package dev.switchboard.core.oauth;

import java.util.Objects;

/** What the token endpoint answered to an exchange or a refresh. */
public sealed interface TokenGrant {
    /** A 200 answer, as received; not yet checked. */
    record Tokens(TokenResponse response) implements TokenGrant {
        public Tokens {
            Objects.requireNonNull(response, "response");
        }
    }

    /**
     * An OAuth error answer (RFC 6749 section 5.2), e.g. {@code invalid_grant}.
     *
     * @param errorCode   the {@code error} value, reduced to a short code ({@link RefreshHealth#validErrorCode})
     * @param description a safe sentence for logs and responses, written by the adapter (not Dialpad's text)
     */
    record Refused(String errorCode, String description) implements TokenGrant {
        public Refused {
            RefreshHealth.validErrorCode(errorCode);
            Objects.requireNonNull(description, "description");
        }
    }

    /** Dialpad could not be reached or answered unusably (timeout, 5xx, unreadable body); worth retrying. */
    record Unavailable(String reason) implements TokenGrant {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
