package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.webhook.EventProcessor;
import dev.switchboard.core.webhook.LocalEventSignal;
import dev.switchboard.core.webhook.NewWebhookEvent;
import dev.switchboard.core.webhook.OrganisationRouter;
import dev.switchboard.core.webhook.UnroutedEventExpiry;
import dev.switchboard.core.webhook.WebhookEventStatus;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events of an organisation no app connected, over the real stores and a clock the test moves: routed only to a
 * connection that existed when they arrived, and deleted a week after they arrived.
 */
class UnroutedEventsTest {
    private static final AtomicLong IDS = new AtomicLong(7_100_000_000L);
    private static final MutableClock CLOCK = MutableClock.at(Instant.parse("2026-03-02T09:00:00Z"));

    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiWebhookEventStore events;
    private static JdbiConnectionStore connections;
    private static EventProcessor processor;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 4));
        events = JdbiWebhookEventStore.create(database, CLOCK);
        connections = JdbiConnectionStore.create(database, OAuthStoreFixtures.cipher());
        processor = EventProcessor.create(events, JdbiProcessingStore.create(database, CLOCK),
                OrganisationRouter.create(connections, CLOCK), LocalEventSignal.create(), CLOCK,
                EventProcessor.Settings.defaults("unrouted-test", 1));
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    @Test
    void processWhenAnUnroutedEventArrivedBeforeTheConnectionThenNeverAppliedToItsAppButOneAfterItIs()
            throws SQLException {
        String organisation = "org-" + IDS.incrementAndGet();
        long before = IDS.incrementAndGet();
        long after = IDS.incrementAndGet();
        Instant connectedAt = CLOCK.instant();
        UUID early = storeUnrouted(organisation, before, connectedAt.minus(Duration.ofDays(2)));
        UUID app = Apps.insert(testDatabase);
        connect(app, organisation, connectedAt);
        // one that arrived just after the connection, while the intake could not see it yet
        UUID late = storeUnrouted(organisation, after, connectedAt.plusMillis(5));
        CLOCK.advance(Duration.ofSeconds(1));

        drain();

        assertThat(messageIds(app)).containsExactly(Long.toString(after));
        assertThat(events.find(early).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
        assertThat(events.find(late).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
        assertThat(eventCount("app_id = '" + app + "'")).isEqualTo(1);
    }

    @Test
    void purgeWhenUnroutedEventsAreOlderThanSevenDaysThenOnlyTheyAreDeleted() throws SQLException {
        String organisation = "org-" + IDS.incrementAndGet();
        Instant now = CLOCK.instant();
        UUID old = storeUnrouted(organisation, IDS.incrementAndGet(), now.minus(Duration.ofDays(7)).minusSeconds(1));
        UUID recent = storeUnrouted(organisation, IDS.incrementAndGet(), now.minus(Duration.ofDays(6)));
        UUID app = Apps.insert(testDatabase);
        byte[] raw = DialpadEvents.sms(IDS.incrementAndGet()).build().jsonBytes();
        UUID routed = events.store(NewWebhookEvent.of(Optional.of(app), Optional.of(organisation),
                JsonCodec.parseObject(raw), raw, now.minus(Duration.ofDays(8)))).id();

        int deleted = UnroutedEventExpiry.create(events, CLOCK).purge();

        assertThat(deleted).isGreaterThanOrEqualTo(1);
        assertThat(events.find(old)).isEmpty();
        assertThat(events.find(recent)).isPresent();
        assertThat(events.find(routed)).isPresent();

        CLOCK.advance(Duration.ofDays(2));
        UnroutedEventExpiry.create(events, CLOCK).purge();
        assertThat(events.find(recent)).isEmpty();
    }

    @Test
    void purgeWhenAnotherInstanceIsPurgingThenSkipsWithoutWaitingAndDeletesNextTime() throws SQLException {
        UUID old = storeUnrouted("org-" + IDS.incrementAndGet(), IDS.incrementAndGet(),
                CLOCK.instant().minus(Duration.ofDays(30)));
        UnroutedEventExpiry expiry = UnroutedEventExpiry.create(events, CLOCK);
        try (java.sql.Connection other = testDatabase.connect();
             PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?, 0)")) {
            lock.setInt(1, JdbiWebhookEventStore.PURGE_LOCK_CLASS);
            lock.execute();

            assertThat(expiry.purge()).isZero();
            assertThat(events.find(old)).isPresent();
            // released now, not whenever the closed session's server process ends
            try (PreparedStatement unlock = other.prepareStatement("SELECT pg_advisory_unlock(?, 0)")) {
                unlock.setInt(1, JdbiWebhookEventStore.PURGE_LOCK_CLASS);
                unlock.execute();
            }
        }

        assertThat(expiry.purge()).isGreaterThanOrEqualTo(1);
        assertThat(events.find(old)).isEmpty();
    }

    @Test
    void deleteProcessedBeforeWhenAnotherInstanceIsPurgingThemThenSkipsAndDeletesNextTime() throws SQLException {
        UUID app = Apps.insert(testDatabase);
        byte[] raw = DialpadEvents.sms(IDS.incrementAndGet()).build().jsonBytes();
        UUID processed = events.store(NewWebhookEvent.of(Optional.of(app), Optional.of("org-processed"),
                JsonCodec.parseObject(raw), raw, CLOCK.instant())).id();
        events.markProcessed(processed);
        Instant cutoff = CLOCK.instant().plusSeconds(1);
        try (java.sql.Connection other = testDatabase.connect();
             PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?, ?)")) {
            lock.setInt(1, JdbiWebhookEventStore.PURGE_LOCK_CLASS);
            lock.setInt(2, BatchedPurge.Job.PROCESSED_EVENTS.key);
            lock.execute();

            assertThat(events.deleteProcessedBefore(cutoff)).isZero();
            assertThat(events.find(processed)).isPresent();
            // the unrouted events' purge has a lock of its own and is not held up
            assertThat(events.deleteReceivedBefore(CLOCK.instant().minus(Duration.ofDays(365)))).isZero();
            try (PreparedStatement unlock = other.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
                unlock.setInt(1, JdbiWebhookEventStore.PURGE_LOCK_CLASS);
                unlock.setInt(2, BatchedPurge.Job.PROCESSED_EVENTS.key);
                unlock.execute();
            }
        }

        assertThat(events.deleteProcessedBefore(cutoff)).isGreaterThanOrEqualTo(1);
        assertThat(events.find(processed)).isEmpty();
    }

    private static UUID storeUnrouted(String organisation, long messageId, Instant receivedAt) {
        byte[] raw = DialpadEvents.sms(messageId).build().jsonBytes();
        return events.store(NewWebhookEvent.of(Optional.empty(), Optional.of(organisation), JsonCodec.parseObject(raw), raw,
                receivedAt)).id();
    }

    private static void connect(UUID app, String organisation, Instant at) {
        connections.save(new Connection(app, organisation, "access", "refresh", at.plus(Duration.ofHours(1)),
                DialpadEnvironment.SANDBOX, at, at, RefreshHealth.initial(at.plus(Duration.ofMinutes(30)))));
    }

    private static void drain() {
        while (processor.processBatch() > 0) {
            // until nothing is due
        }
    }

    private static List<String> messageIds(UUID app) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (java.sql.Connection connection = testDatabase.connect(); PreparedStatement query =
                connection.prepareStatement("SELECT dialpad_message_id FROM messages WHERE app_id = ? ORDER BY 1")) {
            query.setObject(1, app);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
        }
        return ids;
    }

    private static long eventCount(String condition) throws SQLException {
        try (java.sql.Connection connection = testDatabase.connect();
             ResultSet rows = connection.createStatement()
                     .executeQuery("SELECT count(*) FROM webhook_events WHERE " + condition)) {
            assertThat(rows.next()).isTrue();
            return rows.getLong(1);
        }
    }
}
