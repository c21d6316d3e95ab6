package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.webhook.NewWebhookEvent;
import dev.switchboard.core.webhook.WebhookEvent;
import dev.switchboard.core.webhook.WebhookEventStatus;
import dev.switchboard.core.webhook.WebhookEventStore.Stored;
import dev.switchboard.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdbiWebhookEventStoreTest {
    private static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");
    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiWebhookEventStore store;
    private static UUID appA;
    private static UUID appB;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 20));
        store = JdbiWebhookEventStore.create(database, Clock.fixed(NOW, ZoneOffset.UTC));
        appA = Apps.insert(testDatabase);
        appB = Apps.insert(testDatabase);
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    @BeforeEach
    void empty() throws Exception {
        try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM webhook_events");
        }
    }

    private static NewWebhookEvent callEvent(Optional<UUID> app, long callId, String state, long at) {
        String json = "{\"call_id\":" + callId + ",\"state\":\"" + state + "\",\"event_timestamp\":" + at + "}";
        return NewWebhookEvent.of(app, Optional.of("org-1"),
                Map.of("call_id", callId, "state", state, "event_timestamp", at),
                json.getBytes(StandardCharsets.UTF_8), NOW);
    }

    private static long rows() throws Exception {
        try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SELECT count(*) FROM webhook_events")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void storeWhenSixteenThreadsStoreTheSameEventThenOneRowAndOneFirstStore() throws Exception {
        NewWebhookEvent event = callEvent(Optional.of(appA), 1, "ringing", 1000);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Stored>> futures = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            futures.add(pool.submit(() -> {
                start.await();
                return store.store(event);
            }));
        }
        start.countDown();
        List<Stored> results = new ArrayList<>();
        for (Future<Stored> future : futures) {
            results.add(future.get());
        }
        pool.shutdown();

        assertThat(rows()).isEqualTo(1);
        assertThat(results).filteredOn(s -> !s.duplicate()).hasSize(1);
        assertThat(results).extracting(Stored::id).containsOnly(results.get(0).id());
    }

    @Test
    void storeWhenSameCallDifferentStatesThenEveryStateKept() throws Exception {
        store.store(callEvent(Optional.of(appA), 2, "ringing", 1000));
        store.store(callEvent(Optional.of(appA), 2, "connected", 2000));
        store.store(callEvent(Optional.of(appA), 2, "hangup", 3000));

        assertThat(rows()).isEqualTo(3);
    }

    @Test
    void storeWhenSameEventForTwoAppsThenTwoRows() throws Exception {
        Stored a = store.store(callEvent(Optional.of(appA), 3, "ringing", 1000));
        Stored b = store.store(callEvent(Optional.of(appB), 3, "ringing", 1000));

        assertThat(a.duplicate()).isFalse();
        assertThat(b.duplicate()).isFalse();
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void storeWhenUnroutedEventRedeliveredThenDuplicate() throws Exception {
        Stored first = store.store(callEvent(Optional.empty(), 4, "ringing", 1000));
        Stored again = store.store(callEvent(Optional.empty(), 4, "ringing", 1000));

        assertThat(again).isEqualTo(new Stored(first.id(), true));
        assertThat(rows()).isEqualTo(1);
        assertThat(store.find(first.id()).orElseThrow().appId()).isEmpty();
    }

    @Test
    void claimWhenTwoClaimersRunConcurrentlyThenNoEventHandedToBoth() throws Exception {
        Set<UUID> stored = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            stored.add(store.store(callEvent(Optional.of(appA), 1000 + i, "ringing", i)).id());
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        Callable<List<UUID>> claimer = () -> {
            start.await();
            List<UUID> mine = new ArrayList<>();
            List<WebhookEvent> batch;
            do {
                batch = store.claim(7, NOW, Duration.ofMinutes(5), Thread.currentThread().getName());
                batch.forEach(e -> mine.add(e.id()));
            } while (!batch.isEmpty());
            return mine;
        };
        Future<List<UUID>> first = pool.submit(claimer);
        Future<List<UUID>> second = pool.submit(claimer);
        start.countDown();
        List<UUID> a = first.get();
        List<UUID> b = second.get();
        pool.shutdown();

        Set<UUID> all = new HashSet<>(a);
        all.addAll(b);
        assertThat(a.size() + b.size()).isEqualTo(200);
        assertThat(all).isEqualTo(stored);
    }

    @Test
    void claimWhenLeaseExpiredThenClaimedAgain() {
        Stored stored = store.store(callEvent(Optional.of(appA), 5, "ringing", 1));

        assertThat(store.claim(10, NOW, Duration.ofSeconds(30), "one")).hasSize(1);
        assertThat(store.claim(10, NOW.plusSeconds(10), Duration.ofSeconds(30), "two")).isEmpty();
        assertThat(store.claim(10, NOW.plusSeconds(31), Duration.ofSeconds(30), "two"))
                .extracting(WebhookEvent::id).containsExactly(stored.id());
    }

    @Test
    void markFailedWhenRetryNotDueThenOtherEventsClaimedAndFailedOneWaits() {
        Stored bad = store.store(callEvent(Optional.of(appA), 6, "ringing", 1));
        assertThat(store.claim(1, NOW, Duration.ofMinutes(1), "w")).extracting(WebhookEvent::id)
                .containsExactly(bad.id());
        assertThat(store.markFailed(bad.id(), "cannot parse", NOW.plusSeconds(60))).isTrue();
        Stored good = store.store(callEvent(Optional.of(appA), 7, "ringing", 2));

        List<WebhookEvent> early = store.claim(10, NOW.plusSeconds(1), Duration.ofMinutes(5), "w");
        List<WebhookEvent> due = store.claim(10, NOW.plusSeconds(61), Duration.ofMinutes(1), "w");

        assertThat(early).extracting(WebhookEvent::id).containsExactly(good.id());
        assertThat(due).extracting(WebhookEvent::id).containsExactly(bad.id());
        WebhookEvent failed = due.get(0);
        assertThat(failed.status()).isEqualTo(WebhookEventStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.lastError()).contains("cannot parse");
    }

    @Test
    void markProcessedWhenDoneThenNeverClaimedAgainAndBacklogShrinks() {
        Stored stored = store.store(callEvent(Optional.of(appA), 8, "ringing", 1));
        assertThat(store.backlog()).isEqualTo(1);

        assertThat(store.markProcessed(stored.id())).isTrue();

        assertThat(store.backlog()).isZero();
        assertThat(store.claim(10, NOW.plusSeconds(3600), Duration.ofMinutes(1), "w")).isEmpty();
        WebhookEvent processed = store.find(stored.id()).orElseThrow();
        assertThat(processed.status()).isEqualTo(WebhookEventStatus.PROCESSED);
        assertThat(processed.processedAt()).contains(NOW);
        assertThat(store.markProcessed(UUID.randomUUID())).isFalse();
    }
}
