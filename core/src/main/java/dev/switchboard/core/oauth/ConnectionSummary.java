package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A connection without its tokens: what {@code GET /internal/apps/{id}} shows and what webhook routing needs.
 * Safe to log and to return.
 */
public record ConnectionSummary(UUID appId, String organisationId, Instant expiresAt, DialpadEnvironment environment,
                                Instant tokensObtainedAt, Instant connectedAt, RefreshHealth health) {
    public ConnectionSummary {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(organisationId, "organisationId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(tokensObtainedAt, "tokensObtainedAt");
        Objects.requireNonNull(connectedAt, "connectedAt");
        Objects.requireNonNull(health, "health");
    }
}
