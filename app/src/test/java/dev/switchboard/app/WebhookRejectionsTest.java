package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.app.config.ProcessingConfig;
import dev.switchboard.http.RateLimitConfig;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import dev.switchboard.http.WebhookRoutes;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiDialpadWebhookStore;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.DialpadEvent;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.testkit.dialpad.WebhookSender;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What rejected webhook deliveries cost, against the real server on a real PostgreSQL: counted in {@code /metrics},
 * audited once per client address, reason and minute, limited on their own (here 5 a minute) without ever refusing
 * a verified delivery, and answered without a query once the app's secrets were read. Time is the test's clock: each
 * test starts in a minute of its own, so it has the whole limit and audit windows of its own.
 */
class WebhookRejectionsTest {
    private static final String APP_SECRET = "app-webhook-secret-for-rejection-tests";
    private static final int LIMIT = 5;
    private static final AtomicLong CALL_IDS = new AtomicLong(8_000_000_000L);
    private static final WebhookSender SENDER = WebhookSender.create();

    @TempDir
    static Path data;

    private static TestDatabase testDatabase;
    private static Database database;
    private static MutableClock clock;
    private static Switchboard switchboard;
    private static JdbiAppStore apps;
    private static JdbiDialpadWebhookStore webhooks;
    private static UUID appId;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        testDatabase = TestDatabase.create();
        Secrets secrets = TestConfigurations.providedSecrets("shared-secret-for-rejection-tests");
        clock = MutableClock.at(Instant.now().truncatedTo(ChronoUnit.MINUTES));
        switchboard = Switchboard.start(TestConfigurations.sandbox(data,
                        TestConfigurations.external(testDatabase.jdbcUrl()), secrets)
                        .withRateLimits(new RateLimitConfig(RateLimitConfig.Store.MEMORY, 300, 100, LIMIT, 10)),
                new ProcessingConfig(0), new SecureRandom(), clock);
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        apps = JdbiAppStore.create(database, clock);
        webhooks = JdbiDialpadWebhookStore.create(database, SecretCipher.fromBase64Key(
                secrets.requireTokenEncryptionKey().value(), new SecureRandom()), clock);
        appId = appWithWebhook();
    }

    @AfterAll
    static void stop() {
        switchboard.close();
        database.close();
        testDatabase.close();
    }

    @BeforeEach
    void nextMinute() {
        // whatever earlier tests counted is written now, and this test's rejections start windows of their own
        clock.advance(Duration.ofMinutes(2));
        switchboard.webhookRejectionAudit().flushEnded();
    }

    private static UUID appWithWebhook() {
        UUID id = apps.create("rejections test " + UUID.randomUUID()).id();
        webhooks.save(new NewDialpadWebhook(id, "wh-" + id, "http://localhost/webhooks/dialpad/" + id,
                new DialpadWebhookSecret(APP_SECRET), List.of()));
        return id;
    }

    private static URI appUri(UUID id) {
        return URI.create("http://127.0.0.1:" + switchboard.port() + "/webhooks/dialpad/" + id);
    }

    private static DialpadEvent ringing() {
        return DialpadEvents.call(CALL_IDS.incrementAndGet(), "ringing").build();
    }

    private static int forged(UUID id) {
        return SENDER.sendJwt(appUri(id), "not-the-app-secret", ringing()).status();
    }

    private static int verified() {
        return SENDER.sendJwt(appUri(appId), APP_SECRET, ringing()).status();
    }

    @Test
    void rejectWhenABurstOfBadSignaturesComesFromOneAddressThenOneAuditRowWithTheCountAndTheMetricsCountEach() {
        Instant minute = clock.instant().truncatedTo(ChronoUnit.MINUTES);
        double before = rejections("bad_signature", WebhookRoutes.APP_PATH);
        int burst = 40;
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            statuses.add(forged(appId));
        }
        statuses.add(SENDER.sendJwt(appUri(appId), "not-a-token").status());

        assertThat(rejections("bad_signature", WebhookRoutes.APP_PATH) - before).isEqualTo(burst);
        assertThat(statuses.subList(0, LIMIT)).containsOnly(401);
        assertThat(statuses.subList(LIMIT, statuses.size())).containsOnly(429);
        switchboard.webhookRejectionAudit().flushEnded();
        assertThat(auditRows(minute)).as("written once the minute has ended").isEmpty();
        clock.advance(Duration.ofMinutes(1));
        switchboard.webhookRejectionAudit().flushEnded();

        assertThat(auditRows(minute)).containsExactlyInAnyOrder(
                "127.0.0.1 bad_signature " + burst + " app no app id", "127.0.0.1 malformed 1 app no app id");
    }

    @Test
    void rejectWhenRejectionsPassTheLimitThen429WhileVerifiedDeliveriesFromTheSameAddressAreAllStored()
            throws Exception {
        for (int i = 0; i < 12 * LIMIT; i++) {
            assertThat(verified()).as("verified delivery %d", i).isEqualTo(200);
        }
        assertThat(forged(appId)).isEqualTo(401);
        assertThat(SENDER.sendJwt(appUri(appId), "a.b.c.d").status()).isEqualTo(400);
        assertThat(forged(UUID.randomUUID())).isEqualTo(404);
        assertThat(SENDER.sendUnsigned(URI.create("http://127.0.0.1:" + switchboard.port() + "/webhooks/dialpad"),
                ringing()).status()).isEqualTo(401);
        assertThat(forged(appId)).isEqualTo(401);

        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(appUri(appId))
                .header("Content-Type", WebhookSender.JWT_CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString("forged.token.here")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.body()).isEqualTo(
                "{\"error\":\"too_many_requests\",\"message\":\"Too many requests. Please try again later.\"}");
        assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
                seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 60L));
        for (int i = 0; i < 12 * LIMIT; i++) {
            assertThat(verified()).as("verified delivery %d after the limit", i).isEqualTo(200);
        }
        assertThat(forged(appId)).isEqualTo(429);
        clock.advance(Duration.ofMinutes(1));
        assertThat(forged(appId)).as("a new minute, a new budget").isEqualTo(401);
    }

    @Test
    void rejectWhenTheAppsSecretsWereReadOnceThenABadSignatureCostsNoQuery() throws Exception {
        UUID notLookedUpYet = appWithWebhook();
        UUID unknown = UUID.randomUUID();
        assertThat(forged(appId)).isEqualTo(401);
        assertThat(forged(unknown)).isEqualTo(404);
        long reads = switchboard.webhookSecrets().reads();

        int control;
        List<Integer> statuses = new ArrayList<>();
        renameTables("", "_away");
        try {
            // with the tables gone, any query the path makes fails, and the answer is a 503
            statuses.add(forged(appId));
            statuses.add(forged(appId));
            statuses.add(forged(unknown));
            control = forged(notLookedUpYet);
        } finally {
            renameTables("_away", "");
        }

        assertThat(statuses).containsExactly(401, 401, 404);
        assertThat(control).as("an app not looked up before does query, and finds no table").isEqualTo(503);
        assertThat(switchboard.webhookSecrets().reads()).isEqualTo(reads + 1);
    }

    /** Renames the tables the per-app path reads, from {@code name + from} to {@code name + to}. */
    private static void renameTables(String from, String to) throws Exception {
        try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement()) {
            for (String table : List.of("dialpad_webhooks", "apps")) {
                statement.execute("ALTER TABLE " + table + from + " RENAME TO " + table + to);
            }
        }
    }

    /** The {@code webhook_rejected} rows of {@code minute}: client, reason, count, path, whether an app is named. */
    private static List<String> auditRows(Instant minute) {
        List<String> rows = new ArrayList<>();
        try (Connection connection = testDatabase.connect(); PreparedStatement query = connection.prepareStatement(
                "SELECT client_ip, details ->> 'reason', details ->> 'count', details ->> 'path', app_id "
                        + "FROM audit_log WHERE event = 'webhook_rejected' AND occurred_at = ?")) {
            query.setTimestamp(1, Timestamp.from(minute));
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    rows.add(result.getString(1) + " " + result.getString(2) + " " + result.getString(3) + " "
                            + result.getString(4) + " " + (result.getObject(5) == null ? "no app id" : "app id"));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not read the audit log", e);
        }
        return rows;
    }

    /** The counter {@code switchboard_webhook_rejections_total} of {@code reason} and {@code route} in /metrics. */
    private double rejections(String reason, String route) {
        Pattern line = Pattern.compile("switchboard_webhook_rejections_total\\{reason=\"" + Pattern.quote(reason)
                + "\",route=\"" + Pattern.quote(route) + "\",?} (\\S+)");
        try {
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + switchboard.port()
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher matcher = line.matcher(metrics);
            assertThat(matcher.find()).as("the counter is in /metrics").isTrue();
            return Double.parseDouble(matcher.group(1));
        } catch (IOException e) {
            throw new IllegalStateException("could not read /metrics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
