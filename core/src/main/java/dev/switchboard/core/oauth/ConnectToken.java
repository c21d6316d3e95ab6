package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A permission to connect one app to Dialpad once, as kept by a {@link ConnectTokenStore}: only the hash of the
 * token, never the token. It may start several flows (a mail gateway opening the link must not spend it) and is
 * used up by the first connection completed through it.
 *
 * @param tokenHash      SHA-256 of the token in the connect link
 * @param appId          the only app it may connect
 * @param createdAt      when it was issued
 * @param expiresAt      after this instant it starts no flow
 * @param organisationId the only Dialpad organisation it may connect the app to; empty for any
 */
public record ConnectToken(SecretHash tokenHash, UUID appId, Instant createdAt, Instant expiresAt,
                           Optional<String> organisationId) {
    public ConnectToken {
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        organisationId = Objects.requireNonNull(organisationId, "organisationId").map(Connection::validOrganisationId);
        if (!expiresAt.isAfter(createdAt)) {
            throw new IllegalArgumentException("a connect token must expire after it is issued");
        }
    }

    /** What a flow started from this link carries to its callback. */
    public LinkBinding binding() {
        return new LinkBinding(tokenHash, organisationId);
    }
}
