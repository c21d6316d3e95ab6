package dev.switchboard.core.oauth;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** Result of {@link OAuthFlows#createConnectLink}. */
public sealed interface ConnectLinkIssue {
    /**
     * A new connect token for {@code appId}, good for one completed connection; {@link #connectUrl} is the link
     * to give to the person who connects.
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

        /**
         * {@code <publicBaseUrl>/auth/dialpad/connect?app_id=…&connect_token=…}: the link the internal API and the
         * command line both hand out. It carries the token, so it is shown once and never logged.
         */
        public String connectUrl(URI publicBaseUrl) {
            String base = publicBaseUrl.toString();
            while (base.endsWith("/")) {
                base = base.substring(0, base.length() - 1);
            }
            return base + "/auth/dialpad/connect?app_id=" + appId + "&connect_token="
                    + URLEncoder.encode(token, StandardCharsets.UTF_8);
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
