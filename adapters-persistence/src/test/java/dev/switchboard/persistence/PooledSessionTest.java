package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.webhook.NewWebhookEvent;
import dev.switchboard.core.webhook.WebhookEventStatus;
import dev.switchboard.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What the session of a pooled connection keeps between the statements of different stores (pool of one). */
class PooledSessionTest {
    private static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");

    @Test
    void statementsPreparedOnAnEmptyTableAreStillPlannedForEachExecutionNeverWithAGenericPlan() {
        try (TestDatabase testDatabase = TestDatabase.create();
             Database database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 1))) {
            Instant now = NOW;
            JdbiWebhookEventStore events = JdbiWebhookEventStore.create(database, Clock.fixed(now, ZoneOffset.UTC));
            // past the driver's threshold, the claim is a prepared statement on the server, made on an empty table;
            // statements without parameters (COMMIT) only ever have the generic plan
            for (int i = 0; i < 12; i++) {
                assertThat(events.claim(500, now, Duration.ofMinutes(1), "plans-test")).isEmpty();
            }

            List<Long> plans = database.jdbi().withHandle(handle -> handle.createQuery(
                            "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) "
                                    + "FROM pg_prepared_statements WHERE cardinality(parameter_types) > 0")
                    .map((rs, ctx) -> List.of(rs.getLong(1), rs.getLong(2))).one());

            assertThat(plans.get(0)).as("generic plans").isZero();
            assertThat(plans.get(1)).as("custom plans").isPositive();
        }
    }

    @Test
    void aClaimThatLeasesEventsTurnsOffSynchronousCommitForItselfOnlyNeverForTheConnection() {
        try (TestDatabase testDatabase = TestDatabase.create();
             Database database = openDurable(testDatabase)) {
            UUID app = Apps.insert(testDatabase);
            JdbiWebhookEventStore events = JdbiWebhookEventStore.create(database, Clock.fixed(NOW, ZoneOffset.UTC));
            storeRinging(events, app, 1);

            assertThat(showSynchronousCommit(database)).isEqualTo("on");
            assertThat(events.claim(500, NOW, Duration.ofMinutes(1), "session-test")).hasSize(1);

            // the next transaction on the same connection, e.g. the intake's insert, still waits for its flush
            assertThat(showSynchronousCommit(database)).isEqualTo("on");
        }
    }

    @Test
    void markingEventsProcessedLetsItsTransactionCommitWithoutTheFlushAndOnlyThatTransaction() {
        try (TestDatabase testDatabase = TestDatabase.create();
             Database database = openDurable(testDatabase)) {
            UUID app = Apps.insert(testDatabase);
            JdbiWebhookEventStore events = JdbiWebhookEventStore.create(database, Clock.fixed(NOW, ZoneOffset.UTC));
            UUID id = storeRinging(events, app, 2);

            String inTransaction = database.jdbi().inTransaction(handle -> {
                JdbiWebhookEventStore.markProcessed(handle, List.of(id), NOW);
                return handle.createQuery("SHOW synchronous_commit").mapTo(String.class).one();
            });

            assertThat(inTransaction).isEqualTo("off");
            assertThat(showSynchronousCommit(database)).isEqualTo("on");
            assertThat(events.find(id).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
        }
    }

    /** Stores a ringing event of call {@code callId} for {@code app} at {@code NOW}; its id. */
    private static UUID storeRinging(JdbiWebhookEventStore events, UUID app, long callId) {
        String json = "{\"call_id\":" + callId + ",\"state\":\"ringing\"}";
        return events.storeAll(List.of(NewWebhookEvent.of(Optional.of(app), Optional.empty(),
                Map.of("call_id", callId, "state", "ringing"), json.getBytes(StandardCharsets.UTF_8), NOW)))
                .get(0).id();
    }

    /**
     * A pool of one connection on {@code testDatabase} whose sessions start durable, as on a production server (the
     * embedded server of the tests turns the flush wait off for speed, which would hide a leak).
     */
    private static Database openDurable(TestDatabase testDatabase) {
        try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement()) {
            statement.execute("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET synchronous_commit = on', "
                    + "current_database()); END $$");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 1));
    }

    private static String showSynchronousCommit(Database database) {
        return database.jdbi().withHandle(handle -> handle.createQuery("SHOW synchronous_commit")
                .mapTo(String.class).one());
    }
}
