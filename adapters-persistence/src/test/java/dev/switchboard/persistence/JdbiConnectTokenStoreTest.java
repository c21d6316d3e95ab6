package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.oauth.ConnectToken;
import dev.switchboard.core.oauth.SecretHash;
import dev.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdbiConnectTokenStoreTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final int MAX_FLOWS = 3;
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
    void openWhenValidThenReturnsTheLinkUpToTheBoundOfFlows() {
        SecretHash hash = save("token-" + UUID.randomUUID(), appId, Optional.of("5000000000000001"));
        for (int flow = 0; flow < MAX_FLOWS; flow++) {
            ConnectToken opened = store.open(appId, hash, NOW.plusSeconds(60), MAX_FLOWS).orElseThrow();
            assertThat(opened.organisationId()).contains("5000000000000001");
            assertThat(opened.expiresAt()).isEqualTo(NOW.plus(Duration.ofMinutes(15)));
        }
        assertThat(store.open(appId, hash, NOW.plusSeconds(61), MAX_FLOWS)).isEmpty();
    }

    @Test
    void openWhenSixteenThreadsRaceThenNoMoreThanTheBoundSucceed() throws Exception {
        for (int round = 0; round < 5; round++) {
            SecretHash hash = save("token-" + UUID.randomUUID(), appId, Optional.empty());
            List<Boolean> results = OAuthStoreFixtures.race(16,
                    () -> store.open(appId, hash, NOW, MAX_FLOWS).isPresent());
            assertThat(results).hasSize(16).filteredOn(opened -> opened).hasSize(MAX_FLOWS);
        }
    }

    @Test
    void openWhenPresentedForAnotherAppThenRefusedAndNotCounted() throws Exception {
        UUID otherApp = Apps.insert(testDatabase);
        SecretHash hash = save("token-" + UUID.randomUUID(), appId, Optional.empty());
        assertThat(store.open(otherApp, hash, NOW, 1)).isEmpty();
        assertThat(store.open(appId, hash, NOW, 1)).isPresent();
    }

    @Test
    void openWhenExpiredOrUnknownThenRefused() {
        SecretHash hash = save("token-" + UUID.randomUUID(), appId, Optional.empty());
        assertThat(store.open(appId, hash, NOW.plus(Duration.ofMinutes(15)), MAX_FLOWS)).isEmpty();
        assertThat(store.open(appId, SecretHash.of("never issued"), NOW, MAX_FLOWS)).isEmpty();
    }

    @Test
    void completeWhenSixteenThreadsRaceThenExactlyOneWinsAndTheLinkOpensNoMore() throws Exception {
        for (int round = 0; round < 5; round++) {
            SecretHash hash = save("token-" + UUID.randomUUID(), appId, Optional.empty());
            assertThat(store.open(appId, hash, NOW, MAX_FLOWS)).isPresent();
            assertThat(store.canComplete(hash)).isTrue();

            List<Boolean> results = OAuthStoreFixtures.race(16, () -> store.complete(hash, NOW));

            assertThat(results).containsOnlyOnce(true).hasSize(16);
            assertThat(store.canComplete(hash)).isFalse();
            assertThat(store.open(appId, hash, NOW, MAX_FLOWS)).isEmpty();
        }
    }

    @Test
    void completeWhenTheLinkExpiredMeanwhileThenStillCompletesOnce() {
        SecretHash hash = save("token-" + UUID.randomUUID(), appId, Optional.empty());
        Instant afterExpiry = NOW.plus(Duration.ofMinutes(20));
        assertThat(store.canComplete(hash)).isTrue();
        assertThat(store.complete(hash, afterExpiry)).isTrue();
        assertThat(store.complete(hash, afterExpiry)).isFalse();
    }

    @Test
    void completeWhenUnknownThenFalse() {
        assertThat(store.canComplete(SecretHash.of("never issued"))).isFalse();
        assertThat(store.complete(SecretHash.of("never issued"), NOW)).isFalse();
    }

    @Test
    void purgeExpiredWhenTokensExpiredThenDeletesOnlyThose() {
        Instant later = NOW.plus(Duration.ofDays(30));
        SecretHash old = save("old-" + UUID.randomUUID(), appId, Optional.empty());
        SecretHash fresh = SecretHash.of("fresh-" + UUID.randomUUID());
        store.save(new ConnectToken(fresh, appId, later, later.plus(Duration.ofMinutes(15)), Optional.empty()));

        assertThat(store.purgeExpired(later)).isGreaterThanOrEqualTo(1);

        assertThat(store.canComplete(old)).isFalse();
        assertThat(store.open(appId, fresh, later, MAX_FLOWS)).isPresent();
    }

    @Test
    void saveWhenStoredThenOnlyTheHashIsKept() throws Exception {
        String token = "plain-connect-token-" + UUID.randomUUID();
        save(token, appId, Optional.empty());
        assertThat(OAuthStoreFixtures.dumpAllColumns(testDatabase))
                .noneMatch(value -> value.contains(token) || value.contains(OAuthStoreFixtures.hex(token)));
    }

    private static SecretHash save(String token, UUID appId, Optional<String> organisationId) {
        SecretHash hash = SecretHash.of(token);
        store.save(new ConnectToken(hash, appId, NOW, NOW.plus(Duration.ofMinutes(15)), organisationId));
        return hash;
    }
}
