package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * How one refresh attempt of one connection ended (see {@link TokenRefresher}). Expected outcomes are values; none
 * of them holds a token, so each is safe to log and to return to an operator.
 */
public sealed interface RefreshOutcome {
    /** The app concerned. */
    UUID appId();

    /** New tokens were stored; the next refresh is due at {@code nextAttemptAt}. */
    record Refreshed(UUID appId, String organisationId, Instant expiresAt, Instant nextAttemptAt)
            implements RefreshOutcome {
        public Refreshed {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(organisationId, "organisationId");
            Objects.requireNonNull(expiresAt, "expiresAt");
            Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        }
    }

    /**
     * Dialpad refused the refresh token for good ({@code invalid_grant}, RFC 6749 section 5.2), now or earlier: the
     * connection is marked as needing a reconnect and is never tried again until it is connected anew.
     */
    record NeedsReconnect(UUID appId) implements RefreshOutcome {
        public NeedsReconnect {
            Objects.requireNonNull(appId, "appId");
        }
    }

    /**
     * The refresh failed in a way worth retrying (Dialpad unavailable, another refusal, an unusable token response);
     * the next attempt is at {@code retryAt}.
     *
     * @param errorCode a short code such as {@code unavailable}, {@code invalid_client} or
     *                  {@code missing_access_token}
     */
    record Failed(UUID appId, String errorCode, Instant retryAt) implements RefreshOutcome {
        public Failed {
            Objects.requireNonNull(appId, "appId");
            RefreshHealth.validErrorCode(errorCode);
            Objects.requireNonNull(retryAt, "retryAt");
        }
    }

    /** The app has no connection. */
    record NotConnected(UUID appId) implements RefreshOutcome {
        public NotConnected {
            Objects.requireNonNull(appId, "appId");
        }
    }

    /** Another refresher (on this or another instance) holds the connection's lease; nothing was done. */
    record Busy(UUID appId) implements RefreshOutcome {
        public Busy {
            Objects.requireNonNull(appId, "appId");
        }
    }

    /**
     * The lease was lost before the result could be written (it ran out and was taken over, or the app was
     * reconnected or disconnected meanwhile); nothing was recorded, whoever holds the connection now decides.
     */
    record LeaseLost(UUID appId) implements RefreshOutcome {
        public LeaseLost {
            Objects.requireNonNull(appId, "appId");
        }
    }

    /**
     * The store could not be written. When {@code tokensLost} is true Dialpad had already answered with new tokens
     * and they could not be kept even after retries: since Dialpad rotates refresh tokens, the connection will most
     * likely need a reconnect. When false nothing was lost; the attempt simply was not recorded and the lease will
     * run out.
     */
    record StoreFailed(UUID appId, boolean tokensLost) implements RefreshOutcome {
        public StoreFailed {
            Objects.requireNonNull(appId, "appId");
        }
    }

    /** Not attempted: the refresher was closing, or the lease had too little time left to call Dialpad safely. */
    record Skipped(UUID appId) implements RefreshOutcome {
        public Skipped {
            Objects.requireNonNull(appId, "appId");
        }
    }
}
