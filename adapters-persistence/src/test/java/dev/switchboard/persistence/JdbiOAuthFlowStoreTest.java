package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.oauth.ConnectToken;
import dev.switchboard.core.oauth.LinkBinding;
import dev.switchboard.core.oauth.OAuthFlow;
import dev.switchboard.core.oauth.OAuthFlowStore.Consumption;
import dev.switchboard.core.oauth.SecretHash;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdbiOAuthFlowStoreTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiOAuthFlowStore store;
    private static JdbiConnectTokenStore links;
    private UUID appId;

    @BeforeAll
    static void openDatabase() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 20));
        store = JdbiOAuthFlowStore.create(database, OAuthStoreFixtures.cipher());
        links = JdbiConnectTokenStore.create(database);
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
    void consumeWhenPendingThenReturnsTheFlowWithItsVerifier() {
        OAuthFlow flow = flow(appId, "verifier-" + UUID.randomUUID());
        store.save(flow);

        Consumption consumption = store.consume(flow.stateHash(), NOW.plus(Duration.ofMinutes(5)));

        assertThat(consumption).isEqualTo(new Consumption.Pending(flow));
    }

    @Test
    void consumeWhenCalledTwiceThenSecondFindsNothing() {
        OAuthFlow flow = flow(appId, "verifier-" + UUID.randomUUID());
        store.save(flow);
        assertThat(store.consume(flow.stateHash(), NOW)).isInstanceOf(Consumption.Pending.class);
        assertThat(store.consume(flow.stateHash(), NOW)).isEqualTo(new Consumption.NotFound());
    }

    @Test
    void consumeWhenSixteenThreadsRaceThenExactlyOneGetsTheFlow() throws Exception {
        for (int round = 0; round < 5; round++) {
            OAuthFlow flow = flow(appId, "verifier-" + UUID.randomUUID());
            store.save(flow);
            List<Consumption> results = OAuthStoreFixtures.race(16, () -> store.consume(flow.stateHash(), NOW));
            assertThat(results).filteredOn(result -> result instanceof Consumption.Pending).hasSize(1);
            assertThat(results).filteredOn(result -> result instanceof Consumption.NotFound).hasSize(15);
        }
    }

    @Test
    void consumeWhenExpiredThenExpiredWithoutTheFlowAndUsedUp() {
        OAuthFlow flow = flow(appId, "verifier-" + UUID.randomUUID());
        store.save(flow);
        assertThat(store.consume(flow.stateHash(), flow.expiresAt())).isEqualTo(new Consumption.Expired(flow.origin()));
        assertThat(store.consume(flow.stateHash(), NOW)).isEqualTo(new Consumption.NotFound());
    }

    @Test
    void consumeWhenUnknownThenNotFound() {
        assertThat(store.consume(SecretHash.of("never issued"), NOW)).isEqualTo(new Consumption.NotFound());
    }

    @Test
    void saveWhenStateAlreadyStoredThenRejected() {
        OAuthFlow flow = flow(appId, "verifier-" + UUID.randomUUID());
        store.save(flow);
        assertThatThrownBy(() -> store.save(flow)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void purgeExpiredWhenFlowsExpiredThenDeletesOnlyThose() {
        Instant later = NOW.plus(Duration.ofDays(30));
        OAuthFlow old = flow(appId, "verifier-" + UUID.randomUUID());
        OAuthFlow fresh = new OAuthFlow(SecretHash.of("state-" + UUID.randomUUID()), appId,
                SecretHash.of("nonce"), "verifier-fresh", later, later.plus(Duration.ofMinutes(15)),
                link(appId, later, Optional.empty()));
        store.save(old);
        store.save(fresh);

        assertThat(store.purgeExpired(later)).isGreaterThanOrEqualTo(1);

        assertThat(store.consume(old.stateHash(), NOW)).isEqualTo(new Consumption.NotFound());
        assertThat(store.consume(fresh.stateHash(), later)).isEqualTo(new Consumption.Pending(fresh));
    }

    @Test
    void saveWhenStoredThenTheVerifierIsNotInClear() throws Exception {
        String verifier = "pkce-verifier-in-clear-" + UUID.randomUUID();
        store.save(flow(appId, verifier));
        assertThat(OAuthStoreFixtures.dumpAllColumns(testDatabase))
                .noneMatch(value -> value.contains(verifier) || value.contains(OAuthStoreFixtures.hex(verifier)));
    }

    @Test
    void consumeWhenCiphertextCopiedFromAnotherFlowThenDoesNotOpen() throws Exception {
        OAuthFlow victim = flow(appId, "victim-verifier");
        OAuthFlow attacker = flow(appId, "attacker-verifier");
        store.save(victim);
        store.save(attacker);
        try (Connection connection = testDatabase.connect();
             PreparedStatement copy = connection.prepareStatement("""
                     UPDATE oauth_flows SET verifier_ciphertext =
                         (SELECT verifier_ciphertext FROM oauth_flows WHERE state_hash = ?)
                     WHERE state_hash = ?""")) {
            copy.setBytes(1, victim.stateHash().digest());
            copy.setBytes(2, attacker.stateHash().digest());
            assertThat(copy.executeUpdate()).isEqualTo(1);
        }
        assertThatThrownBy(() -> store.consume(attacker.stateHash(), NOW))
                .isInstanceOf(SecretCipher.SecretCipherException.class)
                .hasMessageNotContaining("victim-verifier");
    }

    @Test
    void consumeWhenTheLinkNamesAnOrganisationThenTheFlowCarriesIt() {
        OAuthFlow flow = new OAuthFlow(SecretHash.of("state-" + UUID.randomUUID()), appId, SecretHash.of("nonce"),
                "verifier-bound", NOW, NOW.plus(Duration.ofMinutes(15)), link(appId, NOW, Optional.of("org-7")));
        store.save(flow);

        Consumption consumption = store.consume(flow.stateHash(), NOW);

        assertThat(consumption).isEqualTo(new Consumption.Pending(flow));
        assertThat(((Consumption.Pending) consumption).flow().link().organisationId()).contains("org-7");
    }

    @Test
    void purgeWhenItsLinkIsPurgedThenTheFlowGoesWithIt() {
        OAuthFlow flow = flow(appId, "verifier-" + UUID.randomUUID());
        store.save(flow);

        links.purgeExpired(NOW.plus(Duration.ofMinutes(15)));

        assertThat(store.consume(flow.stateHash(), NOW)).isEqualTo(new Consumption.NotFound());
    }

    private static OAuthFlow flow(UUID appId, String verifier) {
        return new OAuthFlow(SecretHash.of("state-" + UUID.randomUUID()), appId,
                SecretHash.of("nonce-" + UUID.randomUUID()), verifier, NOW, NOW.plus(Duration.ofMinutes(15)),
                link(appId, NOW, Optional.empty()));
    }

    /** A connect link issued at {@code issuedAt} and kept in the database, as every flow's foreign key needs. */
    private static LinkBinding link(UUID appId, Instant issuedAt, Optional<String> organisationId) {
        ConnectToken token = new ConnectToken(SecretHash.of("link-" + UUID.randomUUID()), appId, issuedAt,
                issuedAt.plus(Duration.ofMinutes(15)), organisationId);
        links.save(token);
        return token.binding();
    }
}
