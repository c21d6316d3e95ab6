package dev.switchboard.core.oauth;

import java.util.Objects;
import java.util.UUID;

/** Result of {@link DialpadConnections#disconnect}. */
public sealed interface DisconnectOutcome {
    /**
     * The connection is deleted.
     *
     * @param revoked true when Dialpad confirmed the revocation; false when it refused or could not be reached
     *                (the tokens are deleted on our side all the same)
     */
    record Disconnected(UUID appId, String organisationId, boolean revoked) implements DisconnectOutcome {
        public Disconnected {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(organisationId, "organisationId");
        }
    }

    /** The app has no connection (or does not exist). */
    record NotConnected() implements DisconnectOutcome {
    }
}
