package dev.switchboard.bench;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.switchboard.app.Switchboard;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.StoredApiKey;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.config.Configuration;
import dev.switchboard.core.config.ConfigurationReader;
import dev.switchboard.core.config.ConfigurationResult;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.testkit.TestDatabase;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
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
            try (Switchboard server = Switchboard.start(configuration(url))) {
                run(server.port(), keys, clients, measured, rounds, callsPerApp);
            }
        } finally {
            if (fresh != null) {
                fresh.close();
            }
        }
        System.exit(0);
    }

    private static void run(int port, List<String> keys, int clients, Duration measured, int rounds, int callsPerApp)
            throws Exception {
        long start = System.nanoTime();
        AtomicInteger next = new AtomicInteger();
        Load firstUse = load(port, clients, Duration.ofHours(1), keys.size(), 200,
                i -> apiRequest(keys, next.getAndIncrement()));
        System.out.printf(Locale.ROOT, "first use of %d keys (one bcrypt comparison each): %.1f s, %d non-200%n",
                keys.size(), (System.nanoTime() - start) / 1e9, firstUse.errors());

        double bestHealth = 0;
        double bestApi = 0;
        Duration warmUp = Duration.ofSeconds(2);
        for (int round = 1; round <= rounds; round++) {
            load(port, clients, warmUp, Integer.MAX_VALUE, 200, i -> healthRequest());
            Load health = load(port, clients, measured, Integer.MAX_VALUE, 200, i -> healthRequest());
            load(port, clients, warmUp, Integer.MAX_VALUE, 200, i -> apiRequest(keys, next.getAndIncrement()));
            Load api = load(port, clients, measured, Integer.MAX_VALUE, 200,
                    i -> apiRequest(keys, next.getAndIncrement()));
            Load keyOnly = load(port, clients, measured, Integer.MAX_VALUE,
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
    }

    /** The apps, their keys (returned in plaintext for the clients) and {@code callsPerApp} ended calls each. */
    private static List<String> seed(String url, int appCount, int callsPerApp, int seedCost) throws Exception {
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

    private static Configuration configuration(String url) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        SecureRandom random = new SecureRandom();
        Map<String, String> environment = new HashMap<>();
        environment.put("APP_ENV", "sandbox");
        environment.put("HOST", "127.0.0.1");
        environment.put("PORT", Integer.toString(port));
        environment.put("DATABASE_URL", url);
        environment.put("DB_MAX_CLIENTS", "10");
        environment.put("LOG_LEVEL", "warn");
        // the whole load comes from one address: the per-address limits would measure 429s, not the server
        environment.put("RATE_LIMIT_API_PER_MINUTE", "1000000");
        environment.put("RATE_LIMIT_INTERNAL_PER_MINUTE", "1000000");
        environment.put("INTERNAL_API_SECRET", randomText(random));
        environment.put("SESSION_SECRET", randomText(random));
        environment.put("DIALPAD_WEBHOOK_SECRET", randomText(random));
        byte[] key = new byte[32];
        random.nextBytes(key);
        environment.put("TOKEN_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(key));
        ConfigurationResult result = ConfigurationReader.read(environment);
        if (result instanceof ConfigurationResult.Valid valid) {
            return valid.configuration();
        }
        throw new IllegalStateException("bench configuration refused: " + result);
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

    private record Load(long requests, long errors, Duration elapsed) {
        double perSecond() {
            return requests / (elapsed.toNanos() / 1e9);
        }
    }

    @FunctionalInterface
    private interface RequestSource {
        byte[] request(int index);
    }


    /**
     * {@code clients} connections each sending requests one after the other until {@code duration} has passed or
     * {@code maxRequests} were sent in all; answers other than {@code expected} are counted as errors.
     */
    private static Load load(int port, int clients, Duration duration, int maxRequests, int expected,
                             RequestSource source)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger sent = new AtomicInteger();
        long deadline = System.nanoTime() + duration.toNanos();
        long start = System.nanoTime();
        List<Future<long[]>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            results.add(pool.submit(() -> {
                long ok = 0;
                long bad = 0;
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    socket.setTcpNoDelay(true);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
                    int index;
                    while (System.nanoTime() < deadline && (index = sent.getAndIncrement()) < maxRequests) {
                        out.write(source.request(index));
                        out.flush();
                        int status = readResponse(in);
                        if (status == expected) {
                            ok++;
                        } else {
                            bad++;
                        }
                    }
                }
                return new long[] {ok, bad};
            }));
        }
        long ok = 0;
        long bad = 0;
        for (Future<long[]> result : results) {
            long[] counts = result.get();
            ok += counts[0];
            bad += counts[1];
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        pool.shutdown();
        return new Load(ok + bad, bad, elapsed);
    }

    /** Reads one HTTP/1.1 response (Content-Length or chunked body) and returns its status. */
    private static int readResponse(InputStream in) throws IOException {
        String statusLine = readLine(in);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).strip());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(readLine(in).strip(), 16); size > 0;
                 size = Long.parseLong(readLine(in).strip(), 16)) {
                skip(in, size);
                readLine(in);
            }
            readLine(in);
        } else if (length > 0) {
            skip(in, length);
        }
        return status;
    }

    private static void skip(InputStream in, long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed inside a body");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
