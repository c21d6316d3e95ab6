package dev.switchboard.bench;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.switchboard.app.Switchboard;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.StoredApiKey;
import dev.switchboard.core.apps.App;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.ConfigurationReader;
import dev.switchboard.app.config.ConfigurationResult;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.testkit.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Authenticated {@code GET /api/calls} requests per second against {@code GET /health} in the same run, on the real
 * server (the {@link Switchboard} wiring, external PostgreSQL) with {@value #DEFAULT_APPS} apps holding keys.
 *
 * <p>Set-up: a fresh database ({@code SWITCHBOARD_BENCH_DATABASE_URL}, else {@link TestDatabase}), the apps and
 * their keys created through the stores, a few calls per app inserted with SQL, the server started, and every key
 * used once (the one bcrypt comparison per key and instance). The seeded keys are hashed at bcrypt cost 4 by default
 * rather than the production cost 10, only to keep the set-up short on a small machine: the server verifies each key
 * once, before the measurement, and never again while it stays in use (revalidation reads the row, no bcrypt), so
 * the cost does not enter the measured figures; pass 10 as the sixth argument to seed at the production cost. Then, per round, a
 * warm-up and a measured period of {@code /health} and of {@code /api/calls}, each by {@code clients} keep-alive
 * HTTP/1.1 connections in a closed loop; the {@code /api/calls} clients cycle through all the keys (the header form
 * alternates between {@code x-app-api-key} and {@code Authorization: Bearer}). Prints requests per second of both, and
 * the ratio, for every round and the best.
 *
 * <p>Arguments: apps (1000), concurrent clients (32), seconds measured per endpoint and round (5), rounds (3), calls
 * per app (5), bcrypt cost of the seeded keys (4).
 */
public final class ApiBench {
    static final int DEFAULT_APPS = 1000;

    private ApiBench() {
    }

    public static void main(String[] args) throws Exception {
        int appCount = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_APPS;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        Duration measured = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 5);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int callsPerApp = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        int seedCost = args.length > 5 ? Integer.parseInt(args[5]) : 4;

        String configured = System.getenv("SWITCHBOARD_BENCH_DATABASE_URL");
        TestDatabase fresh = configured == null || configured.isBlank() ? TestDatabase.create() : null;
        String url = fresh != null ? fresh.jdbcUrl() : configured.trim();
        try {
            List<String> keys = seed(url, appCount, callsPerApp, seedCost);
            try (Switchboard server = Switchboard.start(BenchServers.on(url).configuration(10, Map.of()))) {
                run(server.port(), keys, clients, measured, rounds, callsPerApp);
            }
        } finally {
            if (fresh != null) {
                fresh.close();
            }
        }
        System.exit(0);
    }

    /**
     * Measures {@code rounds} rounds of {@code GET /health}, authenticated {@code GET /api/calls} and the key check
     * alone, prints each round and the best, and returns the best authenticated rate of the rounds over the best
     * {@code /health} rate (possibly of different rounds: at most the ratio of the round with the best
     * authenticated rate).
     */
    static double run(int port, List<String> keys, int clients, Duration measured, int rounds, int callsPerApp)
            throws Exception {
        long start = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        RawHttpLoad.Result firstUse = RawHttpLoad.run(port, clients, Duration.ofHours(1), keys.size(), 200,
                i -> apiRequest(keys, next.getAndIncrement()));
        System.out.printf(Locale.ROOT, "first use of %d keys (one bcrypt comparison each): %.1f s, %d non-200%n",
                keys.size(), (System.nanoTime() - start) / 1e9, firstUse.errors());

        double bestHealth = 0;
        double bestApi = 0;
        Duration warmUp = Duration.ofSeconds(2);
        for (int round = 1; round <= rounds; round++) {
            RawHttpLoad.run(port, clients, warmUp, Integer.MAX_VALUE, 200, i -> healthRequest());
            RawHttpLoad.Result health = RawHttpLoad.run(port, clients, measured, Integer.MAX_VALUE, 200, i -> healthRequest());
            RawHttpLoad.run(port, clients, warmUp, Integer.MAX_VALUE, 200, i -> apiRequest(keys, next.getAndIncrement()));
            RawHttpLoad.Result api = RawHttpLoad.run(port, clients, measured, Integer.MAX_VALUE, 200,
                    i -> apiRequest(keys, next.getAndIncrement()));
            RawHttpLoad.Result keyOnly = RawHttpLoad.run(port, clients, measured, Integer.MAX_VALUE,
                    400, i -> keyOnlyRequest(keys, next.getAndIncrement()));
            System.out.printf(Locale.ROOT, "round %d: GET /health %,.0f req/s, GET /api/calls %,.0f req/s "
                            + "(%d apps, %d calls each), ratio %.2f; key check alone %,.0f req/s, ratio %.2f; "
                            + "unexpected statuses: %d, %d, %d%n",
                    round, health.perSecond(), api.perSecond(), keys.size(), callsPerApp,
                    api.perSecond() / health.perSecond(), keyOnly.perSecond(),
                    keyOnly.perSecond() / health.perSecond(), health.errors(), api.errors(), keyOnly.errors());
            bestHealth = Math.max(bestHealth, health.perSecond());
            bestApi = Math.max(bestApi, api.perSecond());
        }
        System.out.printf(Locale.ROOT, "best: GET /health %,.0f req/s, authenticated GET /api/calls %,.0f req/s, "
                + "ratio %.2f (target >= 0.70), %d concurrent keep-alive clients, %d processors%n",
                bestHealth, bestApi, bestApi / bestHealth, clients, Runtime.getRuntime().availableProcessors());
        return bestApi / bestHealth;
    }

    /** The apps, their keys (returned in plaintext for the clients) and {@code callsPerApp} ended calls each. */
    static List<String> seed(String url, int appCount, int callsPerApp, int seedCost) throws Exception {
        long start = System.nanoTime();
        List<String> keys = new ArrayList<>();
        try (Database database = Database.open(DatabaseSettings.of(url, 4))) {
            JdbiAppStore apps = JdbiAppStore.create(database, Clock.systemUTC());
            JdbiApiKeyStore store = JdbiApiKeyStore.create(database);
            SecureRandom random = new SecureRandom();
            ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
            List<Future<String>> issued = new ArrayList<>();
            for (int i = 0; i < appCount; i++) {
                int number = i;
                issued.add(pool.submit(() -> {
                    App app = apps.create("bench app " + number);
                    String key = newKey(random);
                    String hash = new String(BCrypt.withDefaults().hash(seedCost,
                            key.getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII);
                    store.createOrRotate(app.id(), new StoredApiKey(ApiKeys.lookupPrefixOf(key), hash,
                            ApiKeys.hintOf(key)), "bench", Instant.now()).orElseThrow();
                    return key;
                }));
            }
            for (Future<String> key : issued) {
                keys.add(key.get());
            }
            pool.shutdown();
        }
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            statement.executeUpdate("INSERT INTO calls (id, app_id, dialpad_call_id, status, direction, external_number, "
                    + "internal_number, target_id, target_type, target_name, started_at, answered_at, ended_at, "
                    + "duration_ms, last_event_at, states_seen) "
                    + "SELECT gen_random_uuid(), a.id, (1000000 + n)::text, 'ended', 'inbound', '+15550100' || n, "
                    + "'+15550200', 'user' || n, 'user', 'Agent ' || n, now() - n * interval '1 hour', "
                    + "now() - n * interval '1 hour' + interval '5 seconds', "
                    + "now() - n * interval '1 hour' + interval '65 seconds', 60000, now(), 32768 "
                    + "FROM apps a CROSS JOIN generate_series(1, " + callsPerApp + ") AS n");
            statement.execute("ANALYZE");
        }
        System.out.printf(Locale.ROOT, "seeded %d apps with keys (bcrypt cost %d) and %d calls each in %.1f s%n",
                appCount, seedCost, callsPerApp, (System.nanoTime() - start) / 1e9);
        return keys;
    }

    /** A key of the production format; hashed here at the bench's cost rather than by {@link ApiKeys#issue()}. */
    private static String newKey(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return ApiKeys.KEY_PREFIX + HexFormat.of().formatHex(bytes);
    }

    private static String randomText(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] healthRequest() {
        return "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * {@code GET /api/calls/-} with a good key: the key check runs in full (cache, revalidation), then the route
     * answers 400 for the id without touching the calls table. Isolates what authentication costs.
     */
    private static byte[] keyOnlyRequest(List<String> keys, int sequence) {
        String key = keys.get(Math.floorMod(sequence, keys.size()));
        return ("GET /api/calls/- HTTP/1.1\r\nHost: 127.0.0.1\r\nx-app-api-key: " + key + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] apiRequest(List<String> keys, int sequence) {
        int index = Math.floorMod(sequence, keys.size());
        String key = keys.get(index);
        String auth = (index & 1) == 0 ? "x-app-api-key: " + key : "Authorization: Bearer " + key;
        return ("GET /api/calls HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
