package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Result of {@link OAuthFlows#begin}, in the contract's order of checks: app exists (404), app active (403),
 * connect token valid for this app, unexpired and not used by a completed connection (401).
 */
public sealed interface FlowStart {
    /**
     * The flow is pending: redirect the browser to Dialpad's authorize URL with {@code state} and
     * {@code codeChallenge} (method S256), and set the browser-binding cookie to {@code cookieValue}.
     *
     * @param state       the OAuth {@code state} (RFC 6749 section 4.1.1); a bearer of the flow, never logged
     * @param cookieValue the browser-binding cookie; secret, never logged
     * @param expiresAt   when the state stops working (a cookie Max-Age can be derived from it)
     */
    record Started(UUID appId, String state, String cookieValue, String codeChallenge, Instant expiresAt)
            implements FlowStart {
        public Started {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(cookieValue, "cookieValue");
            Objects.requireNonNull(codeChallenge, "codeChallenge");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }

        @Override
        public String toString() {
            return "Started[appId=" + appId + ", state=(redacted), cookieValue=(redacted), codeChallenge="
                    + codeChallenge + ", expiresAt=" + expiresAt + "]";
        }
    }

    /** No app has this id (404). */
    record AppNotFound() implements FlowStart {
    }

    /** The app is deactivated (403). */
    record AppInactive() implements FlowStart {
    }

    /**
     * The connect token is unknown, expired, issued for another app, already used by a completed connection, or has
     * started {@link OAuthFlows#MAX_FLOWS_PER_LINK} flows already (401).
     */
    record InvalidConnectToken() implements FlowStart {
    }
}
