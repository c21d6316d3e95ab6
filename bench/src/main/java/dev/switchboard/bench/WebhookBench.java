package dev.switchboard.bench;

import dev.switchboard.app.Switchboard;
import dev.switchboard.core.config.Configuration;
import dev.switchboard.core.config.ConfigurationReader;
import dev.switchboard.core.config.ConfigurationResult;
import dev.switchboard.core.config.ProcessingConfig;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiDialpadWebhookStore;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.testkit.dialpad.Hs256Jwt;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhook intake and processing of the real server: starts {@link Switchboard} on a fresh database with one app and
 * its webhook secret, then {@code senders} threads (default 32), each with its own keep-alive HTTP/1.1 connection,
 * post Dialpad-signed call events (ringing, connected, hangup of distinct calls) to
 * {@code POST /webhooks/dialpad/{app_id}} for {@code seconds} (default 10) after a 3 second warm-up. Prints events
 * accepted per second, p50/p99/max latency of the 200 answers, events lost (200 answers without a row), the backlog
 * of unprocessed events one second after the load stops, and how long processing took to catch up.
 *
 * <p>Database: {@code SWITCHBOARD_BENCH_DATABASE_URL} (a server where databases may be created; a fresh one is made
 * with {@link TestDatabase} semantics), else {@code SWITCHBOARD_TEST_DATABASE_URL}, else an embedded PostgreSQL.
 * Arguments: seconds, senders, event workers.
 */
public final class WebhookBench {
    private static final String APP_SECRET = "bench-app-webhook-secret";
    private static final AtomicLong CALL_IDS = new AtomicLong(9_000_000_000L);
    private static final String[] STATES = {"ringing", "connected", "hangup"};

    private WebhookBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int senders = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : ProcessingConfig.DEFAULTS.eventWorkers();
        try (TestDatabase fresh = TestDatabase.create()) {
            run(fresh.jdbcUrl(), seconds, senders, workers);
        }
        System.exit(0);
    }

    private static void run(String url, int seconds, int senders, int workers) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String encryptionKey = Base64.getEncoder().encodeToString(key);
        Map<String, String> env = new HashMap<>();
        env.put("APP_ENV", "sandbox");
        env.put("DATABASE_URL", url);
        env.put("DB_MAX_CLIENTS", "12");
        env.put("INTERNAL_API_SECRET", "bench-internal-api-secret-0123456789abcdef");
        env.put("SESSION_SECRET", "bench-session-secret-0123456789abcdef-0123");
        env.put("TOKEN_ENCRYPTION_KEY", encryptionKey);
        env.put("DIALPAD_WEBHOOK_SECRET", "bench-shared-webhook-secret");
        env.put("RATE_LIMIT_WEBHOOKS_PER_MINUTE", "1000000");
        env.put("LOG_LEVEL", "warn");
        ConfigurationResult read = ConfigurationReader.read(env);
        if (!(read instanceof ConfigurationResult.Valid valid)) {
            throw new IllegalStateException("bench configuration invalid: " + read);
        }
        Configuration configuration = valid.configuration().withListenAddress("127.0.0.1", 0);

        try (Switchboard server = Switchboard.start(configuration, new ProcessingConfig(workers), new SecureRandom());
             Database seed = Database.open(DatabaseSettings.of(url, 2))) {
            UUID appId = JdbiAppStore.create(seed, Clock.systemUTC()).create("bench").id();
            JdbiDialpadWebhookStore.create(seed, SecretCipher.fromBase64Key(encryptionKey, new SecureRandom()),
                    Clock.systemUTC()).save(new NewDialpadWebhook(appId, "bench-webhook",
                    "http://127.0.0.1/webhooks/dialpad/" + appId, new DialpadWebhookSecret(APP_SECRET), List.of()));
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/webhooks/dialpad/" + appId);
            System.out.printf(Locale.ROOT, "WebhookBench: %d senders, %d s measured after 3 s warm-up, "
                    + "EVENT_WORKERS=%d, %d cores%n", senders, seconds, workers,
                    Runtime.getRuntime().availableProcessors());

            load(uri, senders, Duration.ofSeconds(3));
            long rowsBefore = count(url, "SELECT count(*) FROM webhook_events");
            Result result = load(uri, senders, Duration.ofSeconds(seconds));
            Instant stopped = Instant.now();
            long rows = count(url, "SELECT count(*) FROM webhook_events") - rowsBefore;

            long[] latencies = result.latencies();
            Arrays.sort(latencies);
            System.out.printf(Locale.ROOT, "accepted: %d events in %.1f s = %.0f events/s (non-200 answers: %d)%n",
                    result.accepted(), result.elapsedSeconds(), result.accepted() / result.elapsedSeconds(),
                    result.failed());
            System.out.printf(Locale.ROOT, "latency of 200 answers: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                    millis(percentile(latencies, 50)), millis(percentile(latencies, 99)),
                    millis(latencies.length == 0 ? 0 : latencies[latencies.length - 1]));
            System.out.printf(Locale.ROOT, "lost: %d (200 answers %d, rows stored %d)%n",
                    Math.max(0, result.accepted() - rows), result.accepted(), rows);

            Thread.sleep(Math.max(0, Duration.between(Instant.now(), stopped.plusSeconds(1)).toMillis()));
            long backlogAfterOneSecond = count(url,
                    "SELECT count(*) FROM webhook_events WHERE status <> 'processed'");
            long backlog = backlogAfterOneSecond;
            while (backlog > 0 && Duration.between(stopped, Instant.now()).toSeconds() < 120) {
                Thread.sleep(100);
                backlog = count(url, "SELECT count(*) FROM webhook_events WHERE status <> 'processed'");
            }
            double drained = Duration.between(stopped, Instant.now()).toMillis() / 1000.0;
            long failed = count(url, "SELECT count(*) FROM webhook_events WHERE status = 'failed'");
            System.out.printf(Locale.ROOT, "processing: backlog 1 s after the load stopped: %d; "
                    + "%s after %.1f s; failed events: %d%n", backlogAfterOneSecond,
                    backlog == 0 ? "caught up" : "still " + backlog + " behind", drained, failed);
            System.out.printf(Locale.ROOT, "calls stored: %d%n", count(url, "SELECT count(*) FROM calls"));
        }
    }

    private record Result(long accepted, long failed, double elapsedSeconds, long[] latencies) {
    }

    private static Result load(URI uri, int senders, Duration duration) throws InterruptedException {
        long deadline = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        long[][] perThread = new long[senders][];
        int[] counts = new int[senders];
        long[] failures = new long[senders];
        long start = System.nanoTime();
        for (int t = 0; t < senders; t++) {
            int index = t;
            Thread thread = new Thread(() -> {
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                long[] latencies = new long[1 << 16];
                int n = 0;
                long callId = 0;
                int state = STATES.length;
                while (System.nanoTime() < deadline) {
                    if (state == STATES.length) {
                        callId = CALL_IDS.incrementAndGet();
                        state = 0;
                    }
                    String token = Hs256Jwt.sign(DialpadEvents.call(callId, STATES[state++]).build().json(),
                            APP_SECRET);
                    HttpRequest request = HttpRequest.newBuilder(uri)
                            .header("Content-Type", "application/jwt; charset=utf-8")
                            .POST(HttpRequest.BodyPublishers.ofString(token)).build();
                    long begin = System.nanoTime();
                    try {
                        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                        long took = System.nanoTime() - begin;
                        if (response.statusCode() == 200) {
                            if (n == latencies.length) {
                                latencies = Arrays.copyOf(latencies, n * 2);
                            }
                            latencies[n++] = took;
                        } else {
                            failures[index]++;
                        }
                    } catch (Exception e) {
                        failures[index]++;
                    }
                }
                perThread[index] = latencies;
                counts[index] = n;
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int offset = 0;
        for (int t = 0; t < senders; t++) {
            System.arraycopy(perThread[t], 0, all, offset, counts[t]);
            offset += counts[t];
        }
        return new Result(total, Arrays.stream(failures).sum(), elapsed, all);
    }

    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }

    private static long count(String url, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
