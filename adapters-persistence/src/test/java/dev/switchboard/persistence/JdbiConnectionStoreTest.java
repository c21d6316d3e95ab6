package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.ConnectionSummary;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdbiConnectionStoreTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final Duration LEASE = Duration.ofMinutes(1);
    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiConnectionStore store;
    private UUID appId;
    private UUID otherAppId;

    @BeforeAll
    static void openDatabase() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 20));
        store = JdbiConnectionStore.create(database, OAuthStoreFixtures.cipher());
    }

    @AfterAll
    static void closeDatabase() {
        database.close();
        testDatabase.close();
    }

    @BeforeEach
    void insertApps() throws Exception {
        appId = Apps.insert(testDatabase);
        otherAppId = Apps.insert(testDatabase);
    }

    @AfterEach
    void removeConnections() throws Exception {
        // claimDue looks at every app's row: start each test from an empty table
        try (var connection = testDatabase.connect(); var statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM dialpad_connections");
        }
    }

    @Test
    void findWhenSavedThenReturnsTheConnectionWithItsTokens() {
        Connection connection = connection(appId, "access-1", "refresh-1", NOW);
        assertThat(store.save(connection)).isEmpty();

        assertThat(store.find(appId)).contains(connection);
        assertThat(store.findSummary(appId)).contains(connection.summary());
    }

    @Test
    void findWhenAskedForAnotherAppThenNeverReturnsThisAppsConnection() {
        store.save(connection(appId, "access-a", "refresh-a", NOW));

        assertThat(store.find(otherAppId)).isEmpty();
        assertThat(store.findSummary(otherAppId)).isEmpty();
        assertThat(store.tryLease(otherAppId, "instance-1", NOW, LEASE)).isEmpty();
        assertThat(store.delete(otherAppId)).isFalse();
        assertThat(store.find(appId)).isPresent();
    }

    @Test
    void saveWhenAppReconnectsThenReplacesTheConnectionDropsTheLeaseAndReturnsTheReplacedTokens() {
        Connection old = connection(appId, "access-old", "refresh-old", NOW);
        store.save(old);
        assertThat(store.tryLease(appId, "refresher", NOW, LEASE)).isPresent();
        Connection reconnected = new Connection(appId, "9999", "access-new", "refresh-new",
                NOW.plus(Duration.ofHours(2)), DialpadEnvironment.PRODUCTION, NOW, NOW, RefreshHealth.initial(NOW));

        assertThat(store.save(reconnected)).contains(old);

        assertThat(store.find(appId)).contains(reconnected);
        // the refresher working on the old grant must not overwrite the new tokens
        assertThat(store.recordRefreshed(appId, "refresher", "stale", "stale", NOW, NOW, NOW)).isFalse();
        assertThat(store.tryLease(appId, "another", NOW, LEASE)).isPresent();
    }

    @Test
    void findByOrganisationWhenSeveralAppsThenReturnsThemOldestFirst() {
        store.save(connection(appId, "a", "b", NOW.minusSeconds(60)));
        store.save(connection(otherAppId, "c", "d", NOW));

        assertThat(store.findByOrganisation("5100")).extracting(ConnectionSummary::appId)
                .containsExactly(appId, otherAppId);
        assertThat(store.findByOrganisation("unknown")).isEmpty();
    }

    @Test
    void deleteWhenConnectedThenTrueOnce() {
        store.save(connection(appId, "a", "b", NOW));
        assertThat(store.delete(appId)).isTrue();
        assertThat(store.delete(appId)).isFalse();
        assertThat(store.find(appId)).isEmpty();
    }

    @Test
    void saveWhenStoredThenNoColumnOfAnyTableHoldsEitherToken() throws Exception {
        String access = "access-token-in-clear-" + UUID.randomUUID();
        String refresh = "refresh-token-in-clear-" + UUID.randomUUID();
        store.save(connection(appId, access, refresh, NOW));
        String rotatedAccess = "rotated-access-" + UUID.randomUUID();
        String rotatedRefresh = "rotated-refresh-" + UUID.randomUUID();
        store.save(connection(otherAppId, "x", "y", NOW));
        store.tryLease(otherAppId, "owner", NOW, LEASE);
        store.recordRefreshed(otherAppId, "owner", rotatedAccess, rotatedRefresh, NOW, NOW, NOW);

        List<String> dump = OAuthStoreFixtures.dumpAllColumns(testDatabase);

        assertThat(dump).isNotEmpty();
        for (String token : List.of(access, refresh, rotatedAccess, rotatedRefresh)) {
            assertThat(dump).noneMatch(value -> value.contains(token) || value.contains(OAuthStoreFixtures.hex(token)));
        }
    }

    @Test
    void claimDueWhenTwoClaimersRaceThenExactlyOneWins() throws Exception {
        store.save(connection(appId, "a", "b", NOW));
        for (int round = 0; round < 10; round++) {
            Instant at = NOW.plusSeconds(round);
            List<List<Connection>> results = OAuthStoreFixtures.race(2, () ->
                    store.claimDue(at, LEASE, 10, "instance-" + Thread.currentThread().getId()));
            assertThat(results).filteredOn(claimed -> !claimed.isEmpty()).hasSize(1);
            Connection won = results.stream().filter(claimed -> !claimed.isEmpty()).findFirst().orElseThrow().get(0);
            assertThat(won.appId()).isEqualTo(appId);
            releaseAnyLease(appId);
        }
    }

    @Test
    void tryLeaseWhenTwoInstancesRaceThenExactlyOneWins() throws Exception {
        store.save(connection(appId, "a", "b", NOW));
        for (int round = 0; round < 10; round++) {
            List<Optional<Connection>> results = OAuthStoreFixtures.race(2, () ->
                    store.tryLease(appId, "instance-" + Thread.currentThread().getId(), NOW, LEASE));
            assertThat(results).filteredOn(Optional::isPresent).hasSize(1);
            releaseAnyLease(appId);
        }
    }

    @Test
    void claimDueWhenLeaseExpiredThenAnotherInstanceTakesItOver() {
        store.save(connection(appId, "a", "b", NOW));
        assertThat(store.claimDue(NOW, LEASE, 10, "first")).hasSize(1);

        assertThat(store.claimDue(NOW.plusSeconds(59), LEASE, 10, "second")).isEmpty();
        assertThat(store.tryLease(appId, "second", NOW.plusSeconds(59), LEASE)).isEmpty();
        assertThat(store.claimDue(NOW.plus(LEASE), LEASE, 10, "second")).hasSize(1);

        // the first instance lost its lease: its late result is refused
        assertThat(store.recordRefreshed(appId, "first", "late", "late", NOW, NOW, NOW)).isFalse();
        assertThat(store.recordRefreshFailure(appId, "first", "unavailable", NOW, false, NOW)).isFalse();
        assertThat(store.recordRefreshed(appId, "second", "new-a", "new-r", NOW.plus(Duration.ofHours(1)),
                NOW.plus(Duration.ofMinutes(48)), NOW)).isTrue();
    }

    @Test
    void claimDueWhenNotDueNeedsReconnectOrLeasedThenSkipped() throws Exception {
        UUID thirdAppId = Apps.insert(testDatabase);
        UUID fourthAppId = Apps.insert(testDatabase);
        store.save(connection(appId, "a", "b", NOW)); // due at NOW
        store.save(new Connection(otherAppId, "5100", "a", "b", NOW.plus(Duration.ofHours(1)),
                DialpadEnvironment.SANDBOX, NOW, NOW, RefreshHealth.initial(NOW.plusSeconds(600))));
        store.save(new Connection(thirdAppId, "5100", "a", "b", NOW.plus(Duration.ofHours(1)),
                DialpadEnvironment.SANDBOX, NOW, NOW, new RefreshHealth(Optional.empty(), Optional.of(NOW), 1,
                Optional.of("invalid_grant"), true, NOW)));
        store.save(connection(fourthAppId, "a", "b", NOW));
        assertThat(store.tryLease(fourthAppId, "busy", NOW, LEASE)).isPresent();

        assertThat(store.claimDue(NOW.plusSeconds(1), LEASE, 10, "refresher")).extracting(Connection::appId)
                .containsExactly(appId);
    }

    @Test
    void claimDueWhenMoreDueThanTheLimitThenMostOverdueFirst() throws Exception {
        UUID thirdAppId = Apps.insert(testDatabase);
        store.save(connectionDueAt(appId, NOW.minusSeconds(10)));
        store.save(connectionDueAt(otherAppId, NOW.minusSeconds(30)));
        store.save(connectionDueAt(thirdAppId, NOW.minusSeconds(20)));

        assertThat(store.claimDue(NOW, LEASE, 2, "refresher")).extracting(Connection::appId)
                .containsExactly(otherAppId, thirdAppId);
        assertThat(store.claimDue(NOW, LEASE, 2, "refresher")).extracting(Connection::appId)
                .containsExactly(appId);
    }

    @Test
    void recordRefreshedWhenLeaseHeldThenBothTokensRotateTogetherAndTheLeaseIsReleased() {
        store.save(connection(appId, "access-1", "refresh-1", NOW));
        store.save(connection(otherAppId, "other-access", "other-refresh", NOW));
        store.tryLease(otherAppId, "refresher", NOW, LEASE);
        assertThat(store.recordRefreshFailure(otherAppId, "refresher", "unavailable", NOW, false, NOW)).isTrue();
        assertThat(store.claimDue(NOW, LEASE, 10, "refresher")).extracting(Connection::appId)
                .containsExactlyInAnyOrder(appId, otherAppId);
        Instant refreshedAt = NOW.plusSeconds(5);
        Instant expiresAt = refreshedAt.plus(Duration.ofHours(1));

        assertThat(store.recordRefreshed(appId, "refresher", "access-2", "refresh-2", expiresAt,
                refreshedAt.plus(Duration.ofMinutes(48)), refreshedAt)).isTrue();

        Connection refreshed = store.find(appId).orElseThrow();
        assertThat(refreshed.accessToken()).isEqualTo("access-2");
        assertThat(refreshed.refreshToken()).isEqualTo("refresh-2");
        assertThat(refreshed.expiresAt()).isEqualTo(expiresAt);
        assertThat(refreshed.tokensObtainedAt()).isEqualTo(refreshedAt);
        assertThat(refreshed.health().lastSuccessAt()).contains(refreshedAt);
        assertThat(refreshed.health().nextAttemptAt()).isEqualTo(refreshedAt.plus(Duration.ofMinutes(48)));
        assertThat(refreshed.health().consecutiveFailures()).isZero();
        assertThat(store.tryLease(appId, "someone-else", refreshedAt, LEASE)).isPresent();
        // the other app's row was not touched
        Connection other = store.find(otherAppId).orElseThrow();
        assertThat(other.accessToken()).isEqualTo("other-access");
        assertThat(other.refreshToken()).isEqualTo("other-refresh");
        assertThat(other.health().consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void recordRefreshedWhenLeaseNotHeldThenNeitherTokenChanges() {
        store.save(connection(appId, "access-1", "refresh-1", NOW));

        assertThat(store.recordRefreshed(appId, "not-the-owner", "access-2", "refresh-2", NOW, NOW, NOW)).isFalse();

        Connection unchanged = store.find(appId).orElseThrow();
        assertThat(unchanged.accessToken()).isEqualTo("access-1");
        assertThat(unchanged.refreshToken()).isEqualTo("refresh-1");
    }

    @Test
    void recordRefreshedWhenLeaseRanOutButWasNotTakenThenStillStored() {
        store.save(connection(appId, "access-1", "refresh-1", NOW));
        store.tryLease(appId, "slow", NOW, LEASE);

        // Dialpad has already rotated the refresh token: losing it would kill the connection
        assertThat(store.recordRefreshed(appId, "slow", "access-2", "refresh-2", NOW.plus(Duration.ofHours(1)),
                NOW.plus(Duration.ofMinutes(48)), NOW.plus(Duration.ofMinutes(5)))).isTrue();
        assertThat(store.find(appId).orElseThrow().refreshToken()).isEqualTo("refresh-2");
    }

    @Test
    void recordRefreshFailureWhenInvalidGrantThenNeedsReconnectAndIsNeverClaimedAgain() {
        store.save(connection(appId, "a", "b", NOW));
        store.claimDue(NOW, LEASE, 10, "refresher");

        assertThat(store.recordRefreshFailure(appId, "refresher", "invalid_grant", NOW, true, NOW)).isTrue();

        RefreshHealth health = store.findSummary(appId).orElseThrow().health();
        assertThat(health.needsReconnect()).isTrue();
        assertThat(health.lastErrorCode()).contains("invalid_grant");
        assertThat(health.lastFailureAt()).contains(NOW);
        assertThat(health.consecutiveFailures()).isEqualTo(1);
        assertThat(store.claimDue(NOW.plus(Duration.ofDays(1)), LEASE, 10, "refresher")).isEmpty();
        assertThat(store.find(appId)).isPresent();
    }

    @Test
    void recordRefreshFailureWhenTransientThenCountsAndSchedulesTheRetry() {
        store.save(connection(appId, "a", "b", NOW));
        for (int attempt = 1; attempt <= 3; attempt++) {
            Instant at = NOW.plus(Duration.ofMinutes(attempt));
            assertThat(store.claimDue(at, LEASE, 10, "refresher")).hasSize(1);
            assertThat(store.recordRefreshFailure(appId, "refresher", "unavailable", at.plusSeconds(30), false, at))
                    .isTrue();
            assertThat(store.claimDue(at.plusSeconds(29), LEASE, 10, "refresher")).isEmpty();
        }
        RefreshHealth health = store.findSummary(appId).orElseThrow().health();
        assertThat(health.consecutiveFailures()).isEqualTo(3);
        assertThat(health.needsReconnect()).isFalse();
        assertThat(health.nextAttemptAt()).isEqualTo(NOW.plus(Duration.ofMinutes(3)).plusSeconds(30));
    }

    @Test
    void releaseLeaseWhenHeldThenFreeForOthers() {
        store.save(connection(appId, "a", "b", NOW));
        store.tryLease(appId, "first", NOW, LEASE);
        assertThat(store.releaseLease(appId, "second")).isFalse();
        assertThat(store.releaseLease(appId, "first")).isTrue();
        assertThat(store.tryLease(appId, "second", NOW, LEASE)).isPresent();
    }

    private static void releaseAnyLease(UUID appId) throws Exception {
        try (var connection = testDatabase.connect();
             var statement = connection.prepareStatement(
                     "UPDATE dialpad_connections SET lease_owner = NULL, lease_until = NULL WHERE app_id = ?")) {
            statement.setObject(1, appId);
            statement.executeUpdate();
        }
    }

    private static Connection connection(UUID appId, String access, String refresh, Instant connectedAt) {
        return new Connection(appId, "5100", access, refresh, connectedAt.plus(Duration.ofHours(1)),
                DialpadEnvironment.SANDBOX, connectedAt, connectedAt, RefreshHealth.initial(connectedAt));
    }

    private static Connection connectionDueAt(UUID appId, Instant dueAt) {
        return new Connection(appId, "5100", "a", "b", NOW.plus(Duration.ofHours(1)), DialpadEnvironment.SANDBOX, NOW,
                NOW, RefreshHealth.initial(dueAt));
    }
}
