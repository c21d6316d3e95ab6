package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.OperationsConfig;
import dev.switchboard.core.data.Retention;
import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.oauth.ConnectToken;
import dev.switchboard.core.oauth.OAuthFlow;
import dev.switchboard.core.oauth.OAuthFlowStore.Consumption;
import dev.switchboard.core.oauth.SecretHash;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.NewWebhookEvent;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiConnectTokenStore;
import dev.switchboard.persistence.JdbiOAuthFlowStore;
import dev.switchboard.persistence.JdbiWebhookEventStore;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's retention jobs as it wires them, on the real database and a clock the test moves: processed events go
 * after {@code EVENT_RETENTION} (and not before, so a redelivery is still recognised), unrouted events after seven
 * days, expired OAuth flows at once and connect links once their last flow can no longer complete.
 */
class RetentionScheduleTest {
    private static final Duration EVENT_RETENTION = Duration.ofDays(2);
    private static final AtomicLong IDS = new AtomicLong(9_300_000_000L);
    private static final MutableClock CLOCK = MutableClock.at(Instant.parse("2026-04-01T08:00:00Z"));

    @TempDir
    static Path data;

    private static TestDatabase testDatabase;
    private static Database database;
    private static Retention retention;
    private static JdbiWebhookEventStore events;
    private static JdbiOAuthFlowStore flows;
    private static JdbiConnectTokenStore links;
    private static UUID app;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 4));
        Configuration configuration = TestConfigurations.sandbox(data,
                        TestConfigurations.external(testDatabase.jdbcUrl()),
                        TestConfigurations.providedSecrets("retention-test-webhook-secret-0123456789"))
                .withOperations(OperationsConfig.DEFAULTS.withEventRetention(EVENT_RETENTION));
        retention = RetentionSchedule.jobs(configuration, database, CLOCK, new SecureRandom());
        events = JdbiWebhookEventStore.create(database, CLOCK);
        flows = JdbiOAuthFlowStore.create(database, SecretCipher.fromBase64Key(
                configuration.secrets().requireTokenEncryptionKey().value(), new SecureRandom()));
        links = JdbiConnectTokenStore.create(database);
        app = JdbiAppStore.create(database, CLOCK).create("retention test").id();
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    @Test
    void runWhenProcessedEventsAreOlderThanTheRetentionThenOnlyTheyAreDeletedAndYoungerOnesStillDeduplicate() {
        NewWebhookEvent oldEvent = event(Optional.of(app), CLOCK.instant());
        UUID old = events.store(oldEvent).id();
        events.markProcessed(old);
        UUID waiting = events.store(event(Optional.of(app), CLOCK.instant())).id();
        CLOCK.advance(Duration.ofDays(1));
        NewWebhookEvent youngEvent = event(Optional.of(app), CLOCK.instant());
        UUID young = events.store(youngEvent).id();
        events.markProcessed(young);
        CLOCK.advance(EVENT_RETENTION.minus(Duration.ofDays(1)).plusSeconds(1));

        assertThat(retention.runOnce()).isGreaterThanOrEqualTo(1);

        assertThat(events.find(old)).isEmpty();
        assertThat(events.find(waiting)).as("not processed yet: kept whatever its age").isPresent();
        assertThat(events.find(young)).isPresent();
        assertThat(events.store(youngEvent).duplicate()).as("a redelivery within the retention").isTrue();

        CLOCK.advance(Duration.ofDays(1));
        retention.runOnce();
        assertThat(events.find(young)).isEmpty();
    }

    @Test
    void runWhenUnroutedEventsAreOlderThanSevenDaysThenDeletedWhateverTheirState() {
        UUID old = events.store(event(Optional.empty(), CLOCK.instant().minus(Duration.ofDays(7)).minusSeconds(1)))
                .id();
        UUID recent = events.store(event(Optional.empty(), CLOCK.instant().minus(Duration.ofDays(6)))).id();

        retention.runOnce();

        assertThat(events.find(old)).isEmpty();
        assertThat(events.find(recent)).isPresent();
    }

    @Test
    void runWhenFlowsAndLinksExpiredThenFlowsGoAtOnceAndLinksWhenTheirLastFlowCannotComplete() throws Exception {
        Instant issued = CLOCK.instant();
        ConnectToken link = new ConnectToken(SecretHash.of("link-" + UUID.randomUUID()), app, issued,
                issued.plus(Duration.ofMinutes(15)), Optional.empty());
        links.save(link);
        OAuthFlow flow = new OAuthFlow(SecretHash.of("state-" + UUID.randomUUID()), app,
                SecretHash.of("nonce-" + UUID.randomUUID()), "verifier-" + UUID.randomUUID(), issued,
                issued.plus(Duration.ofMinutes(15)), link.binding());
        flows.save(flow);
        CLOCK.advance(Duration.ofMinutes(16));

        retention.runOnce();

        assertThat(flows.consume(flow.stateHash(), CLOCK.instant())).isEqualTo(new Consumption.NotFound());
        assertThat(linkRows(link)).isEqualTo(1);

        CLOCK.advance(Duration.ofMinutes(15));
        retention.runOnce();
        assertThat(linkRows(link)).isZero();
    }

    private static NewWebhookEvent event(Optional<UUID> appId, Instant receivedAt) {
        byte[] raw = DialpadEvents.call(IDS.incrementAndGet(), "ringing").build().jsonBytes();
        return NewWebhookEvent.of(appId, Optional.of("org-retention"), JsonCodec.parseObject(raw), raw, receivedAt);
    }

    private static long linkRows(ConnectToken link) throws Exception {
        try (Connection connection = testDatabase.connect();
             PreparedStatement count = connection.prepareStatement(
                     "SELECT count(*) FROM connect_tokens WHERE token_hash = ?")) {
            count.setBytes(1, link.tokenHash().digest());
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
