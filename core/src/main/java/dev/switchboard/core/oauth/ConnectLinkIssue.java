package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** Result of {@link OAuthFlows#createConnectLink}. */
public sealed interface ConnectLinkIssue {
    /**
     * A new connect token for {@code appId}, good for one completed connection. The HTTP layer builds
     * {@code $PUBLIC_BASE_URL/auth/dialpad/connect?app_id=…&connect_token=…} from it.
     *
     * @param token          secret until used: shown once in the response, never logged
     * @param organisationId the only Dialpad organisation the link may connect, as stored; empty for any
     */
    record Issued(UUID appId, String token, Instant expiresAt, Optional<String> organisationId)
            implements ConnectLinkIssue {
        public Issued {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(expiresAt, "expiresAt");
            Objects.requireNonNull(organisationId, "organisationId");
        }

        @Override
        public String toString() {
            return "Issued[appId=" + appId + ", token=(redacted), expiresAt=" + expiresAt + ", organisationId="
                    + organisationId + "]";
        }
    }

    /** No app has this id (404). */
    record AppNotFound() implements ConnectLinkIssue {
    }

    /** The app is deactivated (403). */
    record AppInactive() implements ConnectLinkIssue {
    }
}
