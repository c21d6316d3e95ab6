package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An app's link to one Dialpad organisation: the tokens Switchboard acts with and how refreshing them goes. At most
 * one per app; {@code toString} redacts both tokens.
 *
 * @param appId            the app (tenant) it belongs to
 * @param organisationId   Dialpad's company id, which routes shared webhooks to the app
 * @param accessToken      secret; never logged
 * @param refreshToken     secret; never logged; rotates on each refresh
 * @param expiresAt        when the access token expires
 * @param environment      the Dialpad the tokens belong to
 * @param tokensObtainedAt when the current tokens were issued (the start of their lifetime)
 * @param connectedAt      when the app was (last) connected
 * @param health           background refresh state
 */
public record Connection(UUID appId, String organisationId, String accessToken, String refreshToken,
                         Instant expiresAt, DialpadEnvironment environment, Instant tokensObtainedAt,
                         Instant connectedAt, RefreshHealth health) {
    /** Longest organisation id accepted. */
    public static final int MAX_ORGANISATION_ID_LENGTH = 200;

    public Connection {
        Objects.requireNonNull(appId, "appId");
        organisationId = validOrganisationId(organisationId);
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(tokensObtainedAt, "tokensObtainedAt");
        Objects.requireNonNull(connectedAt, "connectedAt");
        Objects.requireNonNull(health, "health");
        if (accessToken.isBlank() || refreshToken.isBlank()) {
            throw new IllegalArgumentException("a connection needs an access token and a refresh token");
        }
    }

    /** A connection made now from freshly exchanged tokens, first refresh due at {@code firstRefreshAt}. */
    public static Connection established(UUID appId, String organisationId, TokenResponseCheck.Valid tokens,
                                         DialpadEnvironment environment, Instant now, Instant firstRefreshAt) {
        Objects.requireNonNull(tokens, "tokens");
        return new Connection(appId, organisationId, tokens.accessToken(), tokens.refreshToken(),
                tokens.expiresAt(now), environment, now, now, RefreshHealth.initial(firstRefreshAt));
    }

    /** Trims and checks an organisation id: 1 to 200 characters, no control characters. */
    public static String validOrganisationId(String organisationId) {
        Objects.requireNonNull(organisationId, "organisationId");
        String trimmed = organisationId.strip();
        if (trimmed.isEmpty() || trimmed.length() > MAX_ORGANISATION_ID_LENGTH
                || trimmed.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("an organisation id must have 1 to 200 printable characters");
        }
        return trimmed;
    }

    /** Everything but the tokens. */
    public ConnectionSummary summary() {
        return new ConnectionSummary(appId, organisationId, expiresAt, environment, tokensObtainedAt, connectedAt,
                health);
    }

    @Override
    public String toString() {
        return "Connection[appId=" + appId + ", organisationId=" + organisationId
                + ", accessToken=(redacted), refreshToken=(redacted), expiresAt=" + expiresAt + ", environment="
                + environment.code() + ", tokensObtainedAt=" + tokensObtainedAt + ", connectedAt=" + connectedAt
                + ", health=" + health + "]";
    }
}
