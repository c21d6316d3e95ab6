package dev.switchboard.bench;

import dev.switchboard.core.webhook.NewWebhookEvent;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiWebhookEventStore;
import dev.switchboard.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhook-event inserts per second through {@link JdbiWebhookEventStore#store} next to a plain JDBC loop on the same
 * table (same columns, same row count, one prepared statement per connection, autocommit), single-threaded and with
 * several threads, in the same run, each after a warm-up. Prints events/s and the ratio store/loop.
 *
 * <p>Database: {@code SWITCHBOARD_BENCH_DATABASE_URL}, else a fresh database from {@link TestDatabase} (which uses
 * {@code SWITCHBOARD_TEST_DATABASE_URL} or an embedded PostgreSQL). Arguments: events per measured round (default
 * 20000), threads of the concurrent round (default 8), rounds (default 3; the best of each is kept).
 */
public final class EventStoreBench {
    private static final String LOOP_INSERT = "INSERT INTO webhook_events (id, app_id, organisation_id, kind, "
            + "dedup_key, payload, status, attempts, received_at, next_attempt_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, 'received', 0, ?, ?)";
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private EventStoreBench() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String configured = System.getenv("SWITCHBOARD_BENCH_DATABASE_URL");
        TestDatabase fresh = configured == null || configured.isBlank() ? TestDatabase.create() : null;
        String url = fresh != null ? fresh.jdbcUrl() : configured.trim();
        try (Database database = Database.open(DatabaseSettings.of(url, threads + 2))) {
            UUID app = UUID.randomUUID();
            try (Connection connection = DriverManager.getConnection(url);
                 PreparedStatement insert = connection.prepareStatement("INSERT INTO apps (id, name) VALUES (?, ?)")) {
                insert.setObject(1, app);
                insert.setString(2, "bench");
                insert.executeUpdate();
            }
            JdbiWebhookEventStore store = JdbiWebhookEventStore.create(database, Clock.systemUTC());
            System.out.printf(Locale.ROOT, "EventStoreBench: %d events per round, %d rounds, %d threads, %s%n",
                    events, rounds, threads, fresh != null ? "fresh test database" : "configured database");

            // Warm-up: JIT, pool, server-side prepared statements on every connection.
            runStore(store, app, events / 2, threads);
            runLoop(url, app, events / 2, threads);
            truncate(url);

            for (int t : new int[] {1, threads}) {
                double bestStore = 0;
                double bestLoop = 0;
                for (int round = 0; round < rounds; round++) {
                    // Alternate which goes first so neither always meets the emptier table.
                    if (round % 2 == 0) {
                        bestStore = Math.max(bestStore, runStore(store, app, events, t));
                        bestLoop = Math.max(bestLoop, runLoop(url, app, events, t));
                    } else {
                        bestLoop = Math.max(bestLoop, runLoop(url, app, events, t));
                        bestStore = Math.max(bestStore, runStore(store, app, events, t));
                    }
                    truncate(url);
                }
                System.out.printf(Locale.ROOT, "threads=%d  store=%.0f events/s  jdbc-loop=%.0f events/s  "
                        + "ratio store/loop=%.2f%n", t, bestStore, bestLoop, bestStore / bestLoop);
            }
        } finally {
            if (fresh != null) {
                fresh.close();
            }
        }
    }

    private static byte[] payload(long n) {
        return ("{\"call_id\":" + n + ",\"state\":\"ringing\",\"event_timestamp\":" + (1_700_000_000_000L + n)
                + ",\"direction\":\"inbound\",\"external_number\":\"+15550001111\",\"internal_number\":\"+15550002222\","
                + "\"target\":{\"id\":77,\"type\":\"user\",\"name\":\"Rep\"}}").getBytes(StandardCharsets.UTF_8);
    }

    private static NewWebhookEvent event(UUID app, long n) {
        return NewWebhookEvent.of(Optional.of(app), Optional.of("org-1"),
                Map.of("call_id", n, "state", "ringing", "event_timestamp", 1_700_000_000_000L + n), payload(n),
                Instant.now());
    }

    /** {@code events} new events dealt round-robin to {@code threads} lists, one per thread. */
    private static List<List<NewWebhookEvent>> prebuilt(UUID app, int events, int threads) {
        List<List<NewWebhookEvent>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<NewWebhookEvent> mine = new ArrayList<>();
            for (int i = t; i < events; i += threads) {
                mine.add(event(app, SEQUENCE.incrementAndGet()));
            }
            work.add(mine);
        }
        return work;
    }

    private static double runStore(JdbiWebhookEventStore store, UUID app, int events, int threads) throws Exception {
        // Events are built before the clock starts, as the loop's are: only the insert is measured.
        List<List<NewWebhookEvent>> work = prebuilt(app, events, threads);
        return timed(threads, events, t -> {
            for (NewWebhookEvent e : work.get(t)) {
                if (store.store(e).duplicate()) {
                    throw new IllegalStateException("unexpected duplicate");
                }
            }
        });
    }

    private static double runLoop(String url, UUID app, int events, int threads) throws Exception {
        List<List<NewWebhookEvent>> work = prebuilt(app, events, threads);
        List<Connection> connections = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            connections.add(DriverManager.getConnection(url));
        }
        try {
            return timed(threads, events, t -> {
                try (PreparedStatement insert = connections.get(t).prepareStatement(LOOP_INSERT)) {
                    for (NewWebhookEvent e : work.get(t)) {
                        OffsetDateTime at = OffsetDateTime.ofInstant(e.receivedAt(), ZoneOffset.UTC);
                        insert.setObject(1, UUID.randomUUID());
                        insert.setObject(2, e.appId().orElseThrow());
                        insert.setString(3, e.organisationId().orElse(null));
                        insert.setString(4, e.kind().jsonName());
                        insert.setString(5, e.deduplicationKey().value());
                        insert.setString(6, e.payload());
                        insert.setObject(7, at);
                        insert.setObject(8, at);
                        insert.executeUpdate();
                    }
                } catch (SQLException ex) {
                    throw new IllegalStateException(ex);
                }
            });
        } finally {
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }

    private interface Work {
        void run(int thread) throws Exception;
    }

    private static double timed(int threads, int events, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    work.run(thread);
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return events / seconds;
        } finally {
            pool.shutdown();
        }
    }

    private static void truncate(String url) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE webhook_events");
        }
    }
}
