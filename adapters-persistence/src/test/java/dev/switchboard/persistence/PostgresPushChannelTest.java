package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.core.push.PushFeed;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresPushChannelTest {
    /** Generous bound on waiting for a delivery, so a broken channel fails the test instead of hanging it. */
    private static final long WAIT_SECONDS = 15;

    private static TestDatabase testDatabase;
    private static Database databaseA;
    private static Database databaseB;
    private static PostgresPushChannel channelA;
    private static PostgresPushChannel channelB;
    private static UUID app;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        // two pools and two channels on one database: two instances of the server
        databaseA = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        databaseB = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        channelA = PostgresPushChannel.start(databaseA, Clock.systemUTC());
        channelB = PostgresPushChannel.start(databaseB, Clock.systemUTC());
        app = Apps.insert(testDatabase);
    }

    @AfterAll
    static void close() {
        channelA.close();
        channelB.close();
        databaseA.close();
        databaseB.close();
        testDatabase.close();
    }

    @Test
    void publishWhenTwoInstancesListenThenEachSubscriberGetsTheEventExactlyOnce() throws Exception {
        BlockingQueue<PushEvent> onA = new LinkedBlockingQueue<>();
        BlockingQueue<PushEvent> onB = new LinkedBlockingQueue<>();
        try (PushFeed.Subscription a = channelA.subscribe(onA::add);
             PushFeed.Subscription b = channelB.subscribe(onB::add)) {
            PushEvent event = event(app, Map.of("call_id", 42L, "state", "ringing"));
            PushEvent sentinel = event(app, Map.of());

            channelA.publish(event);
            channelA.publish(sentinel);

            // notifications arrive in commit order, so any repeat of the event would come before the sentinel
            assertThat(until(onA, sentinel)).containsExactly(event, sentinel);
            assertThat(until(onB, sentinel)).containsExactly(event, sentinel);
        }
    }

    @Test
    void writesToCallsAndMessagesChangeTheirAppsDataVersionOnEveryInstanceAndNoOtherApp() throws Exception {
        UUID quiet = Apps.insert(testDatabase);
        OptionalLong quietBefore = awaitTracked(channelB, quiet);
        for (String write : List.of(
                "INSERT INTO calls (id, app_id, dialpad_call_id, status, last_event_at) "
                        + "VALUES (gen_random_uuid(), '" + app + "', 'version-1', 'ringing', now())",
                "UPDATE calls SET status = 'active' WHERE app_id = '" + app + "'",
                "INSERT INTO messages (id, app_id, dialpad_message_id, direction, created_at) "
                        + "VALUES (gen_random_uuid(), '" + app + "', 'version-m1', 'inbound', now())",
                "DELETE FROM messages WHERE app_id = '" + app + "'",
                "DELETE FROM calls WHERE app_id = '" + app + "'")) {
            OptionalLong onA = awaitTracked(channelA, app);
            OptionalLong onB = awaitTracked(channelB, app);
            try (Connection connection = DriverManager.getConnection(testDatabase.jdbcUrl());
                 Statement statement = connection.createStatement()) {
                statement.execute(write);
            }
            assertThat(awaitChange(channelA, app, onA)).as(write).isTrue();
            assertThat(awaitChange(channelB, app, onB)).as(write).isTrue();
        }
        assertThat(channelB.dataVersions().current(quiet)).isEqualTo(quietBefore);
    }

    private static OptionalLong awaitTracked(PostgresPushChannel channel, UUID appId) throws Exception {
        return Await.atMost(Duration.ofSeconds(WAIT_SECONDS))
                .until(() -> channel.dataVersions().current(appId), OptionalLong::isPresent);
    }

    private static boolean awaitChange(PostgresPushChannel channel, UUID appId, OptionalLong before)
            throws Exception {
        return Await.atMost(Duration.ofSeconds(WAIT_SECONDS)).until(() -> {
            OptionalLong now = channel.dataVersions().current(appId);
            return now.isPresent() && !now.equals(before);
        });
    }

    @Test
    void publishWhenEventIsLargerThanANotificationThenGoesThroughTheOutboxIntact() throws Exception {
        BlockingQueue<PushEvent> onB = new LinkedBlockingQueue<>();
        try (PushFeed.Subscription b = channelB.subscribe(onB::add)) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("transcript", "é".repeat(6_000));
            data.put("nested", Map.of("list", List.of(1L, true, "x")));
            data.put("nothing", null);
            PushEvent large = new PushEvent(UUID.randomUUID(), app, PushEventType.VOICEMAIL_RECEIVED,
                    Instant.parse("2026-03-01T12:00:00.123456Z"), Optional.of("crm-user-7"), data);

            channelA.publish(large);

            PushEvent received = onB.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(received).isEqualTo(large);
            assertThat(outboxRows(large.appId())).isPositive();
        }
    }

    @Test
    void subscriptionWhenClosedThenReceivesNothingMore() throws Exception {
        List<PushEvent> closedOnes = new ArrayList<>();
        PushFeed.Subscription closed = channelA.subscribe(closedOnes::add);
        closed.close();
        closed.close();
        BlockingQueue<PushEvent> open = new LinkedBlockingQueue<>();
        try (PushFeed.Subscription still = channelA.subscribe(open::add)) {
            PushEvent event = event(app, Map.of());

            channelA.publish(event);

            assertThat(open.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(event);
            assertThat(closedOnes).isEmpty();
        }
    }

    @Test
    void listenWhenNotificationIsUnreadableOrSubscriberThrowsThenLaterEventsStillArrive() throws Exception {
        BlockingQueue<PushEvent> received = new LinkedBlockingQueue<>();
        try (PushFeed.Subscription failing = channelA.subscribe(e -> {
                throw new IllegalStateException("subscriber bug");
            });
             PushFeed.Subscription working = channelA.subscribe(received::add)) {
            try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_notify('" + PostgresPushChannel.CHANNEL + "', 'not json')");
                statement.execute("SELECT pg_notify('" + PostgresPushChannel.CHANNEL + "', '{\"event\": {}}')");
            }
            PushEvent event = event(app, Map.of());

            channelB.publish(event);

            assertThat(received.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(event);
        }
    }

    @Test
    void listenWhenConnectionIsKilledThenReconnectsAndDeliversAgain() throws Exception {
        BlockingQueue<PushEvent> onA = new LinkedBlockingQueue<>();
        BlockingQueue<PushEvent> onB = new LinkedBlockingQueue<>();
        try (PushFeed.Subscription a = channelA.subscribe(onA::add);
             PushFeed.Subscription b = channelB.subscribe(onB::add)) {
            int killed = terminateListeners();

            assertThat(killed).isEqualTo(2);
            assertThat(publishUntilReceived(onB)).isTrue();
            assertThat(publishUntilReceived(onA)).isTrue();
        }
    }

    /** Events published while a listener reconnects may be lost (documented), so publish until one arrives. */
    private static boolean publishUntilReceived(BlockingQueue<PushEvent> queue) throws InterruptedException {
        for (int attempt = 0; attempt < 150; attempt++) {
            PushEvent event = event(app, Map.of("attempt", (long) attempt));
            channelA.publish(event);
            PushEvent arrived = queue.poll(200, TimeUnit.MILLISECONDS);
            if (arrived != null && arrived.appId().equals(app)) {
                return true;
            }
        }
        return false;
    }

    private static PushEvent event(UUID appId, Map<String, Object> data) {
        return new PushEvent(UUID.randomUUID(), appId, PushEventType.CALL_RING, Instant.now(), Optional.empty(), data);
    }

    /** Everything the queue receives up to and including {@code last}. */
    private static List<PushEvent> until(BlockingQueue<PushEvent> queue, PushEvent last) throws InterruptedException {
        List<PushEvent> seen = new ArrayList<>();
        while (true) {
            PushEvent next = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(next).as("an event before the sentinel").isNotNull();
            seen.add(next);
            if (next.id().equals(last.id())) {
                return seen;
            }
        }
    }

    private static int outboxRows(UUID appId) throws SQLException {
        try (Connection connection = testDatabase.connect();
             PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM push_outbox WHERE app_id = ?")) {
            query.setObject(1, appId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static int terminateListeners() throws SQLException {
        try (Connection connection = testDatabase.connect();
             PreparedStatement kill = connection.prepareStatement("SELECT count(*) FILTER (WHERE "
                     + "pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ? AND application_name = ?")) {
            kill.setString(1, testDatabase.name());
            kill.setString(2, PostgresPushChannel.APPLICATION_NAME);
            try (ResultSet rows = kill.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
