package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A single-use permission to connect one app to Dialpad, as kept by a {@link ConnectTokenStore}: only the hash of
 * the token, never the token.
 *
 * @param tokenHash SHA-256 of the token in the connect link
 * @param appId     the only app it may connect
 * @param createdAt when it was issued
 * @param expiresAt after this instant it is refused
 */
public record ConnectToken(SecretHash tokenHash, UUID appId, Instant createdAt, Instant expiresAt) {
    public ConnectToken {
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (!expiresAt.isAfter(createdAt)) {
            throw new IllegalArgumentException("a connect token must expire after it is issued");
        }
    }
}
