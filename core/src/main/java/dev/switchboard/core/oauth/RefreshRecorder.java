package dev.switchboard.core.oauth;

import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what one refresh came to: the failure or success in the store, the audit event, the log line and the
 * counters. Part of {@link ConnectionRefresher}; never logs a token. Thread-safe.
 */
final class RefreshRecorder {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRefresher.class);
    private static final String ACTOR = "system";
    /** Connections remembered as warned about a kept refresh token; past it the memory starts again. */
    private static final int MAX_WARNED = 10_000;

    private final RefreshLeases store;
    private final AuditLog audit;
    private final AtomicLong refreshed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong needsReconnect = new AtomicLong();
    private final AtomicLong leasesLost = new AtomicLong();
    private final AtomicLong tokensLost = new AtomicLong();
    private final AtomicLong keptRefreshToken = new AtomicLong();
    /** The connections (app and connection time) already warned about a refresh answer without a refresh token. */
    private final Set<String> warnedKeptRefreshToken = ConcurrentHashMap.newKeySet();

    RefreshRecorder(RefreshLeases store, AuditLog audit) {
        this.store = store;
        this.audit = audit;
    }

    long refreshed() {
        return refreshed.get();
    }

    long failed() {
        return failed.get();
    }

    long needsReconnect() {
        return needsReconnect.get();
    }

    long leasesLost() {
        return leasesLost.get();
    }

    long tokensLost() {
        return tokensLost.get();
    }

    long keptRefreshToken() {
        return keptRefreshToken.get();
    }

    /** Counts a refresh answered without a new refresh token, and warns the first time for this connection. */
    void noteKeptRefreshToken(Connection connection) {
        keptRefreshToken.incrementAndGet();
        if (warnedKeptRefreshToken.size() >= MAX_WARNED) {
            warnedKeptRefreshToken.clear();
        }
        if (warnedKeptRefreshToken.add(connection.appId() + "@" + connection.connectedAt())) {
            LOG.atWarn().addKeyValue("event", "oauth_refresh_token_kept").addKeyValue("app_id", connection.appId())
                    .addKeyValue("organisation_id", connection.organisationId())
                    .log("app {}: Dialpad answered a refresh without a new refresh token; the current one is kept"
                            + " (RFC 6749 section 6). Logged once per connection, counted in"
                            + " switchboard_refresh_without_new_refresh_token_total", connection.appId());
        }
    }

    /** Logs rotated tokens that could not be stored after every attempt (never the tokens). */
    RefreshOutcome tokensLost(UUID appId, int attempts, SwitchboardException failure) {
        tokensLost.incrementAndGet();
        LOG.atError().addKeyValue("event", "oauth_refresh_store_failed").addKeyValue("app_id", appId)
                .addKeyValue("attempts", attempts)
                .log("app {}: Dialpad rotated its refresh token but the new tokens could not be stored"
                        + " after {} attempts ({}); the connection will likely need a reconnect",
                        appId, attempts, failure.getMessage());
        return new RefreshOutcome.StoreFailed(appId, true);
    }

    /** Audits and logs new tokens already stored. */
    RefreshOutcome refreshed(Connection connection, Instant expiresAt, Instant next, Instant now) {
        UUID appId = connection.appId();
        refreshed.incrementAndGet();
        recordAudit(AuditEvent.of(now, AuditEventType.OAUTH_REFRESHED, appId, ACTOR, Map.of(
                "organisation_id", connection.organisationId(),
                "expires_at", expiresAt.toString(),
                "next_attempt_at", next.toString())));
        LOG.atInfo().addKeyValue("event", AuditEventType.OAUTH_REFRESHED.code()).addKeyValue("app_id", appId)
                .addKeyValue("organisation_id", connection.organisationId())
                .addKeyValue("expires_at", expiresAt.toString())
                .log("tokens refreshed for app {} (organisation {}), valid until {}", appId,
                        connection.organisationId(), expiresAt);
        return new RefreshOutcome.Refreshed(appId, connection.organisationId(), expiresAt, next);
    }

    /** Stores a failed refresh as the policy decided, then audits and logs it. */
    RefreshOutcome failure(Connection connection, String leaseOwner, String errorCode, String description,
                           Instant now, RefreshPolicy.AfterFailure decision) {
        UUID appId = connection.appId();
        boolean reconnect;
        Instant retryAt;
        if (decision instanceof RefreshPolicy.AfterFailure.NeedsReconnect) {
            reconnect = true;
            retryAt = now;
        } else if (decision instanceof RefreshPolicy.AfterFailure.RetryAt retry) {
            reconnect = false;
            retryAt = retry.at();
        } else {
            throw new IllegalStateException("unknown decision after a failed refresh: " + decision);
        }
        try {
            if (!store.recordRefreshFailure(appId, leaseOwner, errorCode, retryAt, reconnect, now)) {
                return leaseLost(appId);
            }
        } catch (SwitchboardException e) {
            LOG.atWarn().addKeyValue("app_id", appId).addKeyValue("error_code", errorCode)
                    .log("app {}: refresh failed ({}) and the failure could not be recorded ({}); the lease will"
                            + " run out", appId, errorCode, e.getMessage());
            return new RefreshOutcome.StoreFailed(appId, false);
        }
        if (reconnect) {
            needsReconnect.incrementAndGet();
            recordAudit(AuditEvent.of(now, AuditEventType.OAUTH_NEEDS_RECONNECT, appId, ACTOR, Map.of(
                    "organisation_id", connection.organisationId(), "error_code", errorCode)));
            LOG.atWarn().addKeyValue("event", AuditEventType.OAUTH_NEEDS_RECONNECT.code()).addKeyValue("app_id", appId)
                    .addKeyValue("organisation_id", connection.organisationId()).addKeyValue("error_code", errorCode)
                    .log("app {} needs reconnect: Dialpad refused its refresh token ({}); send a new connect link",
                            appId, errorCode);
            return new RefreshOutcome.NeedsReconnect(appId);
        }
        failed.incrementAndGet();
        recordAudit(AuditEvent.of(now, AuditEventType.OAUTH_REFRESH_FAILED, appId, ACTOR, Map.of(
                "organisation_id", connection.organisationId(), "error_code", errorCode,
                "retry_at", retryAt.toString())));
        LOG.atWarn().addKeyValue("event", AuditEventType.OAUTH_REFRESH_FAILED.code()).addKeyValue("app_id", appId)
                .addKeyValue("organisation_id", connection.organisationId()).addKeyValue("error_code", errorCode)
                .addKeyValue("retry_at", retryAt.toString())
                .log("token refresh failed for app {} ({}: {}); retrying at {}", appId, errorCode, description,
                        retryAt);
        return new RefreshOutcome.Failed(appId, errorCode, retryAt);
    }

    RefreshOutcome leaseLost(UUID appId) {
        leasesLost.incrementAndGet();
        LOG.atWarn().addKeyValue("app_id", appId)
                .log("app {}: refresh result not recorded, the lease was lost (taken over, reconnected or"
                        + " disconnected meanwhile)", appId);
        return new RefreshOutcome.LeaseLost(appId);
    }

    void releaseQuietly(UUID appId, String leaseOwner) {
        try {
            store.releaseLease(appId, leaseOwner);
        } catch (SwitchboardException e) {
            LOG.atWarn().addKeyValue("app_id", appId)
                    .log("could not release the lease on app {} ({}); it will run out", appId, e.getMessage());
        }
    }

    private void recordAudit(AuditEvent event) {
        try {
            audit.record(event);
        } catch (SwitchboardException e) {
            // the refresh itself is stored; a missing audit line must not undo or repeat it
            LOG.atWarn().addKeyValue("app_id", event.appId().map(UUID::toString).orElse(""))
                    .log("could not write audit event {}: {}", event.type().code(), e.getMessage());
        }
    }
}
