package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.webhook.NewWebhookEvent;
import dev.switchboard.core.webhook.WebhookEvent;
import dev.switchboard.core.webhook.WebhookEventStatus;
import dev.switchboard.core.webhook.WebhookEventStore.Lease;
import dev.switchboard.core.webhook.WebhookEventStore.Stored;
import dev.switchboard.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The group-commit path of the event store ({@code storeAll}, {@code markAllProcessed}) and its NOTIFY. */
class JdbiWebhookEventStoreBatchTest {
    private static final Instant NOW = Instant.parse("2024-05-01T10:00:00.123456Z");
    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiWebhookEventStore store;
    private static UUID app;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 4));
        store = JdbiWebhookEventStore.create(database, Clock.fixed(NOW, ZoneOffset.UTC));
        app = Apps.insert(testDatabase);
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    private static NewWebhookEvent event(Optional<UUID> appId, Optional<String> org, long callId) {
        String json = "{\"call_id\":" + callId + ",\"state\":\"ringing\",\"event_timestamp\":5}";
        return NewWebhookEvent.of(appId, org, Map.of("call_id", callId, "state", "ringing", "event_timestamp", 5),
                json.getBytes(StandardCharsets.UTF_8), NOW);
    }

    @Test
    void storeAllWhenTheListHasNewRepeatedAndKnownEventsThenOneResultEachInOrder() {
        Stored known = store.store(event(Optional.of(app), Optional.empty(), 1));

        List<Stored> results = store.storeAll(List.of(
                event(Optional.of(app), Optional.empty(), 2),
                event(Optional.of(app), Optional.empty(), 1),
                event(Optional.of(app), Optional.empty(), 2),
                event(Optional.empty(), Optional.of("org-9"), 2),
                event(Optional.empty(), Optional.of("org-9"), 2)));

        assertThat(results.get(0).duplicate()).isFalse();
        assertThat(results.get(1)).isEqualTo(new Stored(known.id(), true));
        assertThat(results.get(2)).isEqualTo(new Stored(results.get(0).id(), true));
        assertThat(results.get(3).duplicate()).isFalse();
        assertThat(results.get(4)).isEqualTo(new Stored(results.get(3).id(), true));
        assertThat(store.find(results.get(0).id()).orElseThrow().receivedAt()).isEqualTo(NOW);
        assertThat(store.find(results.get(3).id()).orElseThrow().organisationId()).contains("org-9");
    }

    @Test
    void markAllProcessedWhenGivenIdsThenEachIsProcessed() {
        List<Stored> stored = store.storeAll(List.of(event(Optional.of(app), Optional.empty(), 100),
                event(Optional.of(app), Optional.empty(), 101)));

        int marked = store.markAllProcessed(stored.stream().map(Stored::id).toList());

        assertThat(marked).isEqualTo(2);
        assertThat(stored).allSatisfy(s -> assertThat(store.find(s.id()).orElseThrow().status())
                .isEqualTo(WebhookEventStatus.PROCESSED));
    }

    @Test
    void storeAllWhenNewEventsCommitThenListenersAreNotified() throws Exception {
        try (PgEventSignal signal = PgEventSignal.start(database)) {
            // the listener wakes once when it has connected; consume that before storing
            signal.awaitNext(Duration.ofSeconds(10));

            store.storeAll(List.of(event(Optional.of(app), Optional.empty(), 200)));

            assertThat(signal.awaitNext(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void storeAllWhenEveryEventIsAlreadyStoredThenNothingIsNotifiedAndEachSaysDuplicate() throws Exception {
        NewWebhookEvent first = event(Optional.of(app), Optional.empty(), 202);
        NewWebhookEvent second = event(Optional.of(app), Optional.empty(), 203);
        List<Stored> stored = store.storeAll(List.of(first, second));
        try (Connection listener = testDatabase.connect()) {
            listener.createStatement().execute("LISTEN " + JdbiWebhookEventStore.CHANNEL);

            List<Stored> again = store.storeAll(List.of(second, first));
            store.storeAll(List.of(event(Optional.of(app), Optional.empty(), 204)));

            // only the batch with a new event notified
            PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications(10_000);
            assertThat(received).hasSize(1);
            assertThat(again).containsExactly(new Stored(stored.get(1).id(), true),
                    new Stored(stored.get(0).id(), true));
        }
    }

    @Test
    void storeAllNotifiesWithItsOriginAndTheSignalOfThatOriginIgnoresOnlyItsOwn() throws Exception {
        try (PgEventSignal signal = PgEventSignal.start(database);
             Connection listener = testDatabase.connect()) {
            listener.createStatement().execute("LISTEN " + JdbiWebhookEventStore.CHANNEL);
            JdbiWebhookEventStore.create(database, Clock.fixed(NOW, ZoneOffset.UTC), signal.origin())
                    .storeAll(List.of(event(Optional.of(app), Optional.empty(), 201)));

            PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications(10_000);

            assertThat(received).extracting(PGNotification::getParameter).containsExactly(signal.origin());
            assertThat(PgEventSignal.fromElsewhere(received, signal.origin())).isFalse();
            assertThat(PgEventSignal.fromElsewhere(received, "another instance")).isTrue();
            assertThat(PgEventSignal.fromElsewhere(null, signal.origin())).isFalse();
        }
    }

    @Test
    void storeAllWithoutNotificationsWhenNewEventsCommitThenNothingIsNotified() throws Exception {
        JdbiWebhookEventStore quiet = JdbiWebhookEventStore.createWithoutNotifications(database,
                Clock.fixed(NOW, ZoneOffset.UTC));
        try (Connection listener = testDatabase.connect()) {
            listener.createStatement().execute("LISTEN " + JdbiWebhookEventStore.CHANNEL);

            List<Stored> stored = quiet.storeAll(List.of(event(Optional.of(app), Optional.empty(), 205)));
            // a notifying store after it, so the wait below ends on its notification
            store.storeAll(List.of(event(Optional.of(app), Optional.empty(), 206)));

            PGNotification[] received = listener.unwrap(PGConnection.class).getNotifications(10_000);
            assertThat(received).hasSize(1);
            assertThat(quiet.find(stored.get(0).id())).isPresent();
        }
    }

    @Test
    void storeAllWithALeaseWhenClaimedThenItsNewEventsWaitForTheLeaseAndADuplicateKeepsItsRow() {
        Stored known = store.store(event(Optional.of(app), Optional.empty(), 302));
        Lease lease = new Lease("intake-of-this-instance", NOW.plusSeconds(60));

        List<Stored> stored = store.storeAll(List.of(event(Optional.of(app), Optional.empty(), 300),
                event(Optional.of(app), Optional.empty(), 301), event(Optional.of(app), Optional.empty(), 302)),
                lease);

        assertThat(store.leasesOnStore()).isTrue();
        assertThat(stored.get(2)).isEqualTo(new Stored(known.id(), true));
        List<UUID> claimedNow = store.claim(1000, NOW, Duration.ofSeconds(30), "another-instance").stream()
                .map(WebhookEvent::id).toList();
        assertThat(claimedNow).contains(known.id()).doesNotContain(stored.get(0).id(), stored.get(1).id());
        List<UUID> claimedAfterTheLease = store.claim(1000, NOW.plusSeconds(61), Duration.ofSeconds(30),
                "another-instance").stream().map(WebhookEvent::id).toList();
        assertThat(claimedAfterTheLease).contains(stored.get(0).id(), stored.get(1).id());
    }

    @Test
    void releaseLeasesWhenTheOwnerStopsThenItsUnprocessedEventsAreClaimableAndOthersLeasesStay() {
        Lease mine = new Lease("stopping-instance", NOW.plusSeconds(60));
        List<Stored> stored = store.storeAll(List.of(event(Optional.of(app), Optional.empty(), 400),
                event(Optional.of(app), Optional.empty(), 401)), mine);
        Stored others = store.storeAll(List.of(event(Optional.of(app), Optional.empty(), 402)),
                new Lease("other-instance", NOW.plusSeconds(60))).get(0);
        store.markAllProcessed(List.of(stored.get(1).id()));

        int released = store.releaseLeases(List.of(stored.get(0).id(), stored.get(1).id(), others.id()),
                "stopping-instance");

        assertThat(released).isEqualTo(1);
        List<UUID> claimed = store.claim(1000, NOW, Duration.ofSeconds(30), "another-instance").stream()
                .map(WebhookEvent::id).toList();
        assertThat(claimed).contains(stored.get(0).id()).doesNotContain(stored.get(1).id(), others.id());
    }
}
