package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.ConnectToken;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.OAuthFlow;
import dev.switchboard.core.oauth.OAuthFlowStore.Consumption;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.oauth.SecretHash;
import dev.switchboard.core.secrets.Resealer;
import dev.switchboard.core.secrets.SealedRows;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import dev.switchboard.testkit.TestDatabase;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdbiSealedRowsTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] KEY_A = randomKey();
    private static final byte[] KEY_B = randomKey();
    private static final SecretCipher ONLY_A = SecretCipher.of("a", Map.of("a", KEY_A), RANDOM);
    private static final SecretCipher ONLY_B = SecretCipher.of("b", Map.of("b", KEY_B), RANDOM);
    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiSealedRows sealed;

    @BeforeAll
    static void openDatabase() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 10));
        sealed = JdbiSealedRows.create(database);
    }

    @AfterAll
    static void closeDatabase() {
        database.close();
        testDatabase.close();
    }

    @BeforeEach
    void emptyTables() throws Exception {
        try (var connection = testDatabase.connect(); var statement = connection.createStatement()) {
            statement.executeUpdate("DELETE FROM dialpad_connections; DELETE FROM oauth_flows; "
                    + "DELETE FROM dialpad_webhooks");
        }
    }

    @Test
    void everySealedColumnMovesToTheNewKeyAndStillOpensThroughItsStore() {
        UUID app = Apps.insert(testDatabase);
        JdbiConnectionStore.create(database, ONLY_A).save(connection(app));
        OAuthFlow flow = flow(app);
        JdbiOAuthFlowStore.create(database, ONLY_A).save(flow);
        JdbiDialpadWebhookStore.create(database, ONLY_A, Clock.systemUTC()).save(new NewDialpadWebhook(app, "55",
                "https://sb.example/h", new DialpadWebhookSecret("whsec-1"), List.of()));
        assertThat(sealed.rowsPerKeyId()).containsExactly(Map.entry("a", 3L));

        Resealer resealer = Resealer.create(sealed, bThenA());
        assertThat(resealer.resealBatch(2)).isEqualTo(new Resealer.Batch(2, 2, 0, 0));
        assertThat(resealer.resealBatch(2)).isEqualTo(new Resealer.Batch(1, 1, 0, 0));
        assertThat(resealer.resealBatch(2).read()).isZero();

        assertThat(sealed.rowsPerKeyId()).containsExactly(Map.entry("b", 3L));
        assertThat(JdbiConnectionStore.create(database, ONLY_B).find(app).orElseThrow().refreshToken())
                .isEqualTo("refresh-" + app);
        assertThat(JdbiDialpadWebhookStore.create(database, ONLY_B, Clock.systemUTC()).secrets(app))
                .containsExactly(new DialpadWebhookSecret("whsec-1"));
        assertThat(JdbiOAuthFlowStore.create(database, ONLY_B).consume(flow.stateHash(), NOW))
                .isEqualTo(new Consumption.Pending(flow));
    }

    @Test
    void theSecretARotationReplacedMovesToTheNewKeyAndIsStillAcceptedUntilItsEnd() {
        UUID app = Apps.insert(testDatabase);
        Clock clock = Clock.fixed(NOW, java.time.ZoneOffset.UTC);
        JdbiDialpadWebhookStore underA = JdbiDialpadWebhookStore.create(database, ONLY_A, clock);
        UUID id = underA.save(new NewDialpadWebhook(app, "56", "https://sb.example/h",
                new DialpadWebhookSecret("whsec-old"), List.of())).id();
        assertThat(underA.rotateSecret(app, id, new DialpadWebhookSecret("whsec-new"), NOW.plus(Duration.ofHours(24))))
                .isTrue();
        assertThat(sealed.rowsPerKeyId()).containsExactly(Map.entry("a", 2L));

        Resealer resealer = Resealer.create(sealed, bThenA());
        assertThat(resealer.resealBatch(10)).isEqualTo(new Resealer.Batch(2, 2, 0, 0));
        assertThat(resealer.resealBatch(10).read()).isZero();

        assertThat(sealed.rowsPerKeyId()).containsExactly(Map.entry("b", 2L));
        assertThat(JdbiDialpadWebhookStore.create(database, ONLY_B, clock).secrets(app)).containsExactlyInAnyOrder(
                new DialpadWebhookSecret("whsec-new"),
                new DialpadWebhookSecret("whsec-old", Optional.of(NOW.plus(Duration.ofHours(24)))));
    }

    @Test
    void aRowRewrittenAfterTheReadIsNotOverwritten() {
        UUID app = Apps.insert(testDatabase);
        JdbiConnectionStore.create(database, ONLY_A).save(connection(app));
        List<SealedRows.Row> read = sealed.sealedUnderOtherKeys("b", Map.of("a", 1, "b", 1).keySet(), 10);
        JdbiConnectionStore.create(database, bThenA()).save(connection(app));

        SecretCipher ring = bThenA();
        List<SealedRows.Replacement> fresh = read.stream().map(row -> new SealedRows.Replacement(row,
                row.values().stream().map(v -> ring.seal(ring.open(v.sealed(), v.associatedData().getBytes()),
                        v.associatedData().getBytes())).toList())).toList();

        assertThat(sealed.replace(fresh)).isZero();
        assertThat(JdbiConnectionStore.create(database, ring).find(app).orElseThrow().accessToken())
                .isEqualTo("access-" + app);
    }

    @Test
    void onlyOneSessionRunsExclusivelyAtATime() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean secondRan = new AtomicBoolean();
        Thread first = new Thread(() -> sealed.runExclusively(() -> {
            inside.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        first.start();
        inside.await();

        assertThat(sealed.runExclusively(() -> secondRan.set(true))).isFalse();
        release.countDown();
        first.join();
        assertThat(sealed.runExclusively(() -> secondRan.set(true))).isTrue();
        assertThat(secondRan).isTrue();
    }

    private static SecretCipher bThenA() {
        Map<String, byte[]> ring = new LinkedHashMap<>();
        ring.put("b", KEY_B);
        ring.put("a", KEY_A);
        return SecretCipher.of("b", ring, RANDOM);
    }

    private static Connection connection(UUID app) {
        return new Connection(app, "5100", "access-" + app, "refresh-" + app, NOW.plus(Duration.ofHours(1)),
                DialpadEnvironment.SANDBOX, NOW, NOW, RefreshHealth.initial(NOW));
    }

    private static OAuthFlow flow(UUID app) {
        ConnectToken token = new ConnectToken(SecretHash.of("link-" + UUID.randomUUID()), app, NOW,
                NOW.plus(Duration.ofMinutes(15)), Optional.empty());
        JdbiConnectTokenStore.create(database).save(token);
        return new OAuthFlow(SecretHash.of("state-" + UUID.randomUUID()), app, SecretHash.of("nonce-" + app),
                "verifier-" + app, NOW, NOW.plus(Duration.ofMinutes(15)), token.binding());
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }
}
