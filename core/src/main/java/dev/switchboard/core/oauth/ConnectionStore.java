package dev.switchboard.core.oauth;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Port: Dialpad connections, one per app, shared by every instance of the server.
 *
 * <p>Implementations keep both tokens encrypted at rest, are thread-safe, and are safe across instances: refreshing
 * is coordinated with a <em>lease</em> (an owner name and an expiry) so that exactly one instance refreshes a
 * connection at a time, because Dialpad rotates refresh tokens and two concurrent refreshes would kill the
 * connection. A lease whose expiry has passed may be taken over. Every method scoped to an app touches only that
 * app's row. Infrastructure failures throw {@link dev.switchboard.core.StoreUnavailableException}.
 */
public interface ConnectionStore {
    /**
     * Stores the connection of {@code connection.appId()}, replacing any previous one (a reconnect), with its refresh
     * health as given and no lease. The app must exist (callers check it first); a lease held on the replaced
     * connection is dropped, so a refresher still working on the old grant cannot overwrite the new tokens.
     *
     * @return the connection replaced, with its tokens as they were at the moment of replacing (read and replaced
     *         atomically, so a concurrent refresh cannot rotate them in between), so that its grant can be revoked;
     *         empty when the app was not connected
     */
    Optional<Connection> save(Connection connection);

    /** The app's connection with its tokens decrypted, or empty when it is not connected. */
    Optional<Connection> find(UUID appId);

    /** The app's connection without its tokens (nothing is decrypted), or empty when it is not connected. */
    Optional<ConnectionSummary> findSummary(UUID appId);

    /**
     * The connections to a Dialpad organisation, oldest connection first, without tokens: several apps may serve the
     * same company. Used to route events arriving on the shared webhook path.
     */
    List<ConnectionSummary> findByOrganisation(String organisationId);

    /** Deletes the app's connection (disconnect); true when there was one. */
    boolean delete(UUID appId);

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
