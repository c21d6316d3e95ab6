package dev.switchboard.bench;

import dev.switchboard.app.Switchboard;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.ConfigurationReader;
import dev.switchboard.app.config.ConfigurationResult;
import dev.switchboard.app.config.ProcessingConfig;
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
import java.nio.charset.StandardCharsets;
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
    private static final AtomicLong CALL_IDS = new AtomicLong(10_000_000_000L);
    private static final String[] STATES = {"ringing", "connected", "hangup"};
    private static final Duration WARM_UP = Duration.ofSeconds(10);
    private static final String BACKLOG = "SELECT count(*) FROM webhook_events WHERE status <> 'processed'";

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
        BenchServers servers = BenchServers.on(url);
        Configuration configuration = servers.configuration(12, Map.of());
        try (Switchboard server = Switchboard.start(configuration, new ProcessingConfig(workers), new SecureRandom())) {
            BenchServers.WebhookApp app = servers.webhookApp("bench", APP_SECRET);
            System.out.printf(Locale.ROOT, "WebhookBench: %d senders, %d s measured after %d s warm-up, "
                    + "EVENT_WORKERS=%d, %d cores%n", senders, seconds, WARM_UP.toSeconds(), workers,
                    Runtime.getRuntime().availableProcessors());
            measure(server.port(), url, app, senders, Duration.ofSeconds(seconds));
        }
    }

    /**
     * Warms the server up for {@link #WARM_UP} (so the figures are of compiled code), then posts signed call
     * events for {@code measured} with {@code senders} connections to the app's webhook path and prints: events
     * accepted per second, latency p50/p99/max of the 200 answers, events lost (200 answers without a row in
     * {@code webhook_events}), the backlog of unprocessed events one second after the load stopped and how long
     * processing took to catch up.
     */
    static void measure(int port, String url, BenchServers.WebhookApp app, int senders, Duration measured)
            throws Exception {
        load(port, app.path(), app.webhookSecret(), senders, WARM_UP);
        awaitBacklog(url, Instant.now().plus(Duration.ofSeconds(20)));
        long rowsBefore = count(url, "SELECT count(*) FROM webhook_events");
        RawHttpLoad.Result result = load(port, app.path(), app.webhookSecret(), senders, measured);
        Instant stopped = Instant.now();
        long rows = count(url, "SELECT count(*) FROM webhook_events") - rowsBefore;
        long accepted = result.latencies().length;
        System.out.printf(Locale.ROOT, "webhooks accepted: %d events in %.1f s = %,.0f events/s with %d senders "
                        + "(non-200 answers: %d)%n", accepted, result.elapsed().toNanos() / 1e9,
                result.okPerSecond(), senders, result.errors());
        System.out.printf(Locale.ROOT, "webhook latency of 200 answers: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                result.percentileMillis(50), result.percentileMillis(99), result.maxMillis());
        System.out.printf(Locale.ROOT, "webhook events lost: %d (200 answers %d, rows stored %d)%n",
                Math.max(0, accepted - rows), accepted, rows);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), stopped.plusSeconds(1)).toMillis()));
        long backlogAfterOneSecond = count(url, BACKLOG);
        long backlog = awaitBacklog(url, stopped.plusSeconds(120));
        double drained = Duration.between(stopped, Instant.now()).toMillis() / 1000.0;
        System.out.printf(Locale.ROOT, "processing: backlog 1 s after the load stopped: %d; %s after %.1f s; "
                        + "failed events: %d; calls stored: %d%n", backlogAfterOneSecond,
                backlog == 0 ? "caught up" : "still " + backlog + " behind", drained,
                count(url, "SELECT count(*) FROM webhook_events WHERE status = 'failed'"),
                count(url, "SELECT count(*) FROM calls"));
    }

    /** Waits until no event is left unprocessed or {@code deadline} passed; returns the backlog left. */
    private static long awaitBacklog(String url, Instant deadline) throws Exception {
        long backlog = count(url, BACKLOG);
        while (backlog > 0 && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            backlog = count(url, BACKLOG);
        }
        return backlog;
    }

    /**
     * {@code senders} keep-alive connections posting signed call events (ringing, connected, hangup of fresh calls,
     * signed as they are sent) to {@code path} for {@code duration}.
     */
    static RawHttpLoad.Result load(int port, String path, String secret, int senders, Duration duration)
            throws Exception {
        long base = CALL_IDS.getAndAdd(1_000_000_000L);
        return RawHttpLoad.run(port, senders, duration, Integer.MAX_VALUE, 200, index -> {
            long callId = base + index / STATES.length;
            String token = Hs256Jwt.sign(DialpadEvents.call(callId, STATES[index % STATES.length]).build().json(),
                    secret);
            return webhookRequest(path, token);
        });
    }

    /** The bytes of a {@code POST} of one JWT to {@code path}, as Dialpad sends it. */
    static byte[] webhookRequest(String path, String token) {
        byte[] body = token.getBytes(StandardCharsets.US_ASCII);
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/jwt; charset=utf-8\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }

    private static long count(String url, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
