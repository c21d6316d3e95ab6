package dev.switchboard.core.oauth;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Port: what refreshing tokens needs of the stored connections: leases, so that exactly one instance refreshes a
 * connection at a time (Dialpad rotates refresh tokens, and two concurrent refreshes would kill the connection), and
 * the recording of each outcome under that lease.
 *
 * <p>A lease is an owner name and an expiry; one whose expiry has passed may be taken over. Every method touches only
 * the named app's row. Thread-safe and safe across instances; infrastructure failures throw
 * {@link dev.switchboard.core.StoreUnavailableException}.
 */
public interface RefreshLeases {
    /** The app's connection without its tokens (nothing is decrypted), or empty when it is not connected. */
    Optional<ConnectionSummary> findSummary(UUID appId);

    /**
     * Leases up to {@code limit} connections to {@code owner} until {@code now + leaseDuration} and returns them
     * with their tokens: those whose next attempt is due at {@code now}, that do not need a reconnect, and whose
     * lease is free or expired. Concurrent callers never get the same connection (rows are locked with
     * {@code FOR UPDATE SKIP LOCKED}); most overdue first.
     */
    List<Connection> claimDue(Instant now, Duration leaseDuration, int limit, String owner);

    /**
     * Leases one app's connection to {@code owner} until {@code now + duration} whatever its schedule, when its lease
     * is free, expired or already held by {@code owner}; returns it with its tokens, or empty when it is not
     * connected or someone else holds the lease.
     */
    Optional<Connection> tryLease(UUID appId, String owner, Instant now, Duration duration);

    /**
     * Records a successful refresh: the new access token, the rotated refresh token and the new expiry are written
     * in one transaction, so no reader ever sees one without the other; failures are reset, the next attempt is set
     * to {@code nextAttemptAt} and the lease is released. Only done while {@code owner} still holds the lease (even
     * if it has run out, as long as nobody took it over); returns false, changing nothing, otherwise.
     */
    boolean recordRefreshed(UUID appId, String owner, String accessToken, String refreshToken, Instant expiresAt,
                            Instant nextAttemptAt, Instant now);

    /**
     * Records a failed refresh: counts one more consecutive failure, keeps {@code errorCode} (a short code, see
     * {@link RefreshHealth#validErrorCode}), schedules the next attempt at {@code retryAt}, sets
     * {@code needsReconnect}, and releases the lease. Same lease rule and result as {@link #recordRefreshed}.
     */
    boolean recordRefreshFailure(UUID appId, String owner, String errorCode, Instant retryAt, boolean needsReconnect,
                                 Instant now);

    /** Gives up {@code owner}'s lease on the app's connection without recording anything; true when it held it. */
    boolean releaseLease(UUID appId, String owner);
}
