package dev.switchboard.core.testing;

import dev.switchboard.core.oauth.ConnectionStore;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.ConnectionSummary;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.StoreUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A fake {@link ConnectionStore} with the port's lease semantics (one lock stands in for row locks), and a switch
 * that makes the next writes of refreshed tokens fail as a lost database would.
 */
public final class InMemoryConnectionStore implements ConnectionStore {
    private final Map<UUID, Row> rows = new LinkedHashMap<>();
    private int failingRefreshWrites;
    private int refreshWriteAttempts;

    /** Makes the next {@code count} calls to {@link #recordRefreshed} throw {@link StoreUnavailableException}. */
    public synchronized void failNextRefreshWrites(int count) {
        failingRefreshWrites = count;
    }

    /** How many writes of refreshed tokens were attempted. */
    public synchronized int refreshWriteAttempts() {
        return refreshWriteAttempts;
    }

    /** The lease owner of the app's connection, or empty. */
    public synchronized Optional<String> leaseOwner(UUID appId) {
        Row row = rows.get(appId);
        return row == null ? Optional.empty() : Optional.ofNullable(row.leaseOwner);
    }

    /** Every connection kept. */
    public synchronized List<Connection> all() {
        return rows.values().stream().map(row -> row.connection).toList();
    }

    @Override
    public synchronized Optional<Connection> save(Connection connection) {
        return Optional.ofNullable(rows.put(connection.appId(), new Row(connection))).map(row -> row.connection);
    }

    @Override
    public synchronized Optional<Connection> find(UUID appId) {
        return Optional.ofNullable(rows.get(appId)).map(row -> row.connection);
    }

    @Override
    public synchronized Optional<ConnectionSummary> findSummary(UUID appId) {
        return find(appId).map(Connection::summary);
    }

    @Override
    public synchronized List<ConnectionSummary> findByOrganisation(String organisationId) {
        return rows.values().stream()
                .map(row -> row.connection.summary())
                .filter(summary -> summary.organisationId().equals(organisationId))
                .toList();
    }

    @Override
    public synchronized boolean delete(UUID appId) {
        return rows.remove(appId) != null;
    }

    @Override
    public synchronized List<Connection> claimDue(Instant now, Duration leaseDuration, int limit, String owner) {
        List<Row> due = rows.values().stream()
                .filter(row -> !row.connection.health().nextAttemptAt().isAfter(now))
                .filter(row -> !row.connection.health().needsReconnect())
                .filter(row -> row.leaseUntil == null || !row.leaseUntil.isAfter(now))
                .sorted(Comparator.comparing((Row row) -> row.connection.health().nextAttemptAt()))
                .limit(limit)
                .toList();
        due.forEach(row -> row.lease(owner, now.plus(leaseDuration)));
        return due.stream().map(row -> row.connection).toList();
    }

    @Override
    public synchronized Optional<Connection> tryLease(UUID appId, String owner, Instant now, Duration duration) {
        Row row = rows.get(appId);
        if (row == null || row.leaseUntil != null && row.leaseUntil.isAfter(now) && !owner.equals(row.leaseOwner)) {
            return Optional.empty();
        }
        row.lease(owner, now.plus(duration));
        return Optional.of(row.connection);
    }

    @Override
    public synchronized boolean recordRefreshed(UUID appId, String owner, String accessToken, String refreshToken,
                                                Instant expiresAt, Instant nextAttemptAt, Instant now) {
        refreshWriteAttempts++;
        if (failingRefreshWrites > 0) {
            failingRefreshWrites--;
            throw new StoreUnavailableException("record a token refresh", null);
        }
        Row row = rows.get(appId);
        if (row == null || !owner.equals(row.leaseOwner)) {
            return false;
        }
        Connection c = row.connection;
        RefreshHealth health = new RefreshHealth(Optional.of(now), c.health().lastFailureAt(), 0,
                c.health().lastErrorCode(), false, nextAttemptAt);
        row.connection = new Connection(appId, c.organisationId(), accessToken, refreshToken, expiresAt,
                c.environment(), now, c.connectedAt(), health);
        row.lease(null, null);
        return true;
    }

    @Override
    public synchronized boolean recordRefreshFailure(UUID appId, String owner, String errorCode, Instant retryAt,
                                                     boolean needsReconnect, Instant now) {
        Row row = rows.get(appId);
        if (row == null || !owner.equals(row.leaseOwner)) {
            return false;
        }
        Connection c = row.connection;
        RefreshHealth health = new RefreshHealth(c.health().lastSuccessAt(), Optional.of(now),
                c.health().consecutiveFailures() + 1, Optional.of(errorCode), needsReconnect, retryAt);
        row.connection = new Connection(appId, c.organisationId(), c.accessToken(), c.refreshToken(),
                c.expiresAt(), c.environment(), c.tokensObtainedAt(), c.connectedAt(), health);
        row.lease(null, null);
        return true;
    }

    @Override
    public synchronized boolean releaseLease(UUID appId, String owner) {
        Row row = rows.get(appId);
        if (row == null || !owner.equals(row.leaseOwner)) {
            return false;
        }
        row.lease(null, null);
        return true;
    }

    private static final class Row {
        private Connection connection;
        private String leaseOwner;
        private Instant leaseUntil;

        Row(Connection connection) {
            this.connection = connection;
        }

        void lease(String owner, Instant until) {
            leaseOwner = owner;
            leaseUntil = until;
        }
    }
}
