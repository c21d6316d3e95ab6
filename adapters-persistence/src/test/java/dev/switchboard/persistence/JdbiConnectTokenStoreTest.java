package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.oauth.ConnectToken;
import dev.switchboard.core.oauth.SecretHash;
import dev.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdbiConnectTokenStoreTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiConnectTokenStore store;
    private UUID appId;

    @BeforeAll
    static void openDatabase() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 20));
        store = JdbiConnectTokenStore.create(database);
    }

    @AfterAll
    static void closeDatabase() {
        database.close();
        testDatabase.close();
    }

    @BeforeEach
    void insertApp() throws Exception {
        appId = Apps.insert(testDatabase);
    }

    @Test
    void consumeWhenValidThenTrueOnceOnly() {
        SecretHash hash = save("token-" + UUID.randomUUID(), appId);
        assertThat(store.consume(appId, hash, NOW.plusSeconds(60))).isTrue();
        assertThat(store.consume(appId, hash, NOW.plusSeconds(61))).isFalse();
    }

    @Test
    void consumeWhenSixteenThreadsRaceThenExactlyOneWins() throws Exception {
        for (int round = 0; round < 5; round++) {
            SecretHash hash = save("token-" + UUID.randomUUID(), appId);
            List<Boolean> results = OAuthStoreFixtures.race(16, () -> store.consume(appId, hash, NOW));
            assertThat(results).containsOnlyOnce(true).hasSize(16);
        }
    }

    @Test
    void consumeWhenPresentedForAnotherAppThenRefusedAndNotUsedUp() throws Exception {
        UUID otherApp = Apps.insert(testDatabase);
        SecretHash hash = save("token-" + UUID.randomUUID(), appId);
        assertThat(store.consume(otherApp, hash, NOW)).isFalse();
        assertThat(store.consume(appId, hash, NOW)).isTrue();
    }

    @Test
    void consumeWhenExpiredThenRefused() {
        SecretHash hash = save("token-" + UUID.randomUUID(), appId);
        assertThat(store.consume(appId, hash, NOW.plus(Duration.ofMinutes(15)))).isFalse();
    }

    @Test
    void consumeWhenUnknownThenRefused() {
        assertThat(store.consume(appId, SecretHash.of("never issued"), NOW)).isFalse();
    }

    @Test
    void purgeExpiredWhenTokensExpiredThenDeletesOnlyThose() {
        Instant later = NOW.plus(Duration.ofDays(30));
        SecretHash old = save("old-" + UUID.randomUUID(), appId);
        SecretHash fresh = SecretHash.of("fresh-" + UUID.randomUUID());
        store.save(new ConnectToken(fresh, appId, later, later.plus(Duration.ofMinutes(15))));

        assertThat(store.purgeExpired(later)).isGreaterThanOrEqualTo(1);

        assertThat(store.consume(appId, old, NOW)).isFalse();
        assertThat(store.consume(appId, fresh, later)).isTrue();
    }

    @Test
    void saveWhenStoredThenOnlyTheHashIsKept() throws Exception {
        String token = "plain-connect-token-" + UUID.randomUUID();
        save(token, appId);
        assertThat(OAuthStoreFixtures.dumpAllColumns(testDatabase))
                .noneMatch(value -> value.contains(token) || value.contains(OAuthStoreFixtures.hex(token)));
    }

    private static SecretHash save(String token, UUID appId) {
        SecretHash hash = SecretHash.of(token);
        store.save(new ConnectToken(hash, appId, NOW, NOW.plus(Duration.ofMinutes(15))));
        return hash;
    }
}
