package dev.switchboard.core.oauth;

import java.util.Objects;
import java.util.Optional;

/**
 * What a flow inherits from the connect link it was started from: which link a completed connection uses up, and
 * the organisation the link was issued for, if the operator named one.
 *
 * <p>Usage: {@link OAuthFlows#begin} copies it into the {@link OAuthFlow}; {@link OAuthFlows#complete} hands it back
 * in {@link FlowCompletion.Resumed}; {@link DialpadConnections#finish} checks the organisation and uses the link up.
 *
 * @param tokenHash      SHA-256 of the link's connect token (the link's key in a {@link ConnectTokenStore})
 * @param organisationId the Dialpad organisation a connection through this link must belong to; empty for any
 */
public record LinkBinding(SecretHash tokenHash, Optional<String> organisationId) {
    public LinkBinding {
        Objects.requireNonNull(tokenHash, "tokenHash");
        organisationId = Objects.requireNonNull(organisationId, "organisationId").map(Connection::validOrganisationId);
    }

    /** True when the link names an organisation and {@code actual} is another one. */
    public boolean refuses(String actual) {
        return organisationId.isPresent() && !organisationId.get().equals(Connection.validOrganisationId(actual));
    }
}
