package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.app.config.AppEnvironment;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.app.config.DialpadConfig;
import dev.switchboard.app.config.LoggingConfig;
import dev.switchboard.app.config.SecretSetting;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.secrets.Secret;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import dev.switchboard.http.IpRange;
import dev.switchboard.http.RateLimitConfig;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiConnectionStore;
import dev.switchboard.persistence.JdbiDialpadWebhookStore;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.testkit.dialpad.Delivery;
import dev.switchboard.testkit.dialpad.FakeDialpad;
import dev.switchboard.testkit.dialpad.IssuedTokens;
import dev.switchboard.testkit.dialpad.OAuthClient;
import dev.switchboard.testkit.dialpad.WebhookSender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances on one database rotate the token encryption key without downtime: every row starts under
 * {@code key-old}; a rolling restart adds {@code key-new} as an opening key, a second one makes it active, re-sealing
 * moves every row, a third removes {@code key-old}. Meanwhile both instances refresh 6-second tokens and accept
 * signed per-app webhooks, and no refresh and no webhook fails. A ring lacking a key in use is refused at start.
 */
class KeyRotationAcrossInstancesTest {
    private static final int CONNECTIONS = 30;
    private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(6);
    private static final String REDIRECT_URI = "http://localhost:4000/auth/dialpad/callback";
    private static final String INTERNAL_SECRET = "internal-secret-for-the-key-rotation-test";
    private static final Duration HANG_GUARD = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestDatabase testDatabase;
    private static FakeDialpad dialpad;

    @TempDir
    Path dataOne;
    @TempDir
    Path dataTwo;

    @BeforeAll
    static void startDependencies() {
        testDatabase = TestDatabase.create();
        dialpad = FakeDialpad.start();
    }

    @AfterAll
    static void stopDependencies() {
        dialpad.close();
        testDatabase.close();
    }

    @Test
    void rotateWhenTwoInstancesRestartOneAfterTheOtherThenEveryRowMovesAndNoRequestFails() throws Exception {
        OAuthClient client = dialpad.registerNewClient(REDIRECT_URI);
        dialpad.accessTokenLifetime(TOKEN_LIFETIME);
        String oldKey = randomKey();
        String newKey = randomKey();
        String unrelatedKey = randomKey();
        String onlyOld = "key-old:" + oldKey;
        String oldThenNew = "key-old:" + oldKey + ",key-new:" + newKey;
        String newThenOld = "key-new:" + newKey + ",key-old:" + oldKey;
        String onlyNew = "key-new:" + newKey;
        RefresherConfig refresher = new RefresherConfig(8, Duration.ofSeconds(3), Duration.ofMillis(500));
        DatabaseConfig shared = new DatabaseConfig.External(testDatabase.jdbcUrl(), Optional.empty(),
                Optional.empty(), 10);

        List<UUID> appIds;
        try (Database database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 4))) {
            appIds = seed(database, SecretCipher.fromKeyRing(onlyOld, new SecureRandom()), client, refresher);
        }
        Traffic traffic = new Traffic(appIds);
        Switchboard one = Switchboard.start(configuration(dataOne, shared, client, onlyOld), refresher,
                new SecureRandom());
        Switchboard two = Switchboard.start(configuration(dataTwo, shared, client, onlyOld), refresher,
                new SecureRandom());
        traffic.add(one);
        traffic.add(two);
        Thread sender = new Thread(traffic, "webhook-traffic");
        sender.start();
        try {
            awaitRefreshesBeyond(dialpad.refreshCount() + CONNECTIONS);
            assertThat(encryption(one)).isEqualTo(Map.of("key-old", (long) 2 * CONNECTIONS));

            // first every instance learns the new key, then every instance seals with it
            one = traffic.restart(one, () -> start(dataOne, shared, client, oldThenNew, refresher));
            two = traffic.restart(two, () -> start(dataTwo, shared, client, oldThenNew, refresher));
            one = traffic.restart(one, () -> start(dataOne, shared, client, newThenOld, refresher));
            two = traffic.restart(two, () -> start(dataTwo, shared, client, newThenOld, refresher));
            Switchboard reporting = one;
            Await.atMost(HANG_GUARD).pollingEvery(Duration.ofMillis(200))
                    .until(() -> encryption(reporting), counts -> counts.getOrDefault("key-old", -1L) == 0);
            assertThat(encryption(two)).isEqualTo(Map.of("key-new", (long) 2 * CONNECTIONS, "key-old", 0L));
            // the webhook secrets are rewritten by nothing but re-sealing: at least those were moved and counted
            assertThat(resealedRows(one) + resealedRows(two)).isGreaterThanOrEqualTo(CONNECTIONS);
            awaitRefreshesBeyond(dialpad.refreshCount() + CONNECTIONS);

            one = traffic.restart(one, () -> start(dataOne, shared, client, onlyNew, refresher));
            two = traffic.restart(two, () -> start(dataTwo, shared, client, onlyNew, refresher));
            awaitRefreshesBeyond(dialpad.refreshCount() + CONNECTIONS);
            assertThat(encryption(one)).isEqualTo(Map.of("key-new", (long) 2 * CONNECTIONS));
        } finally {
            traffic.stop();
            sender.join();
            one.close();
            two.close();
        }

        assertThat(traffic.accepted.get()).isPositive();
        assertThat(traffic.failures).isEmpty();
        assertThat(dialpad.refreshFailureCount()).isZero();
        assertThat(dialpad.refreshTokenReuseCount()).isZero();
        assertThat(countEvents("oauth_refresh_failed") + countEvents("oauth_needs_reconnect")).isZero();
        try (Database database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2))) {
            JdbiConnectionStore connections = JdbiConnectionStore.create(database,
                    SecretCipher.fromKeyRing(onlyNew, new SecureRandom()));
            for (UUID appId : appIds) {
                assertThat(dialpad.isCurrentRefreshToken(connections.find(appId).orElseThrow().refreshToken()))
                        .isTrue();
            }
        }

        assertThatThrownBy(() -> start(dataOne, shared, client, "key-unrelated:" + unrelatedKey, refresher))
                .isInstanceOf(SwitchboardException.class)
                .hasMessageContaining("key id(s) key-new ")
                .hasMessageNotContaining(unrelatedKey).hasMessageNotContaining(newKey);
    }

    private static Switchboard start(Path data, DatabaseConfig shared, OAuthClient client, String ring,
                                     RefresherConfig refresher) {
        return Switchboard.start(configuration(data, shared, client, ring), refresher, new SecureRandom());
    }

    private static List<UUID> seed(Database database, SecretCipher cipher, OAuthClient client,
                                   RefresherConfig refresher) {
        JdbiAppStore apps = JdbiAppStore.create(database, Clock.systemUTC());
        JdbiConnectionStore connections = JdbiConnectionStore.create(database, cipher);
        JdbiDialpadWebhookStore webhooks = JdbiDialpadWebhookStore.create(database, cipher, Clock.systemUTC());
        List<UUID> appIds = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            App app = apps.create("crm-" + i);
            long organisation = 8_000_000_000L + i;
            IssuedTokens tokens = dialpad.issueTokens(client.clientId(), organisation, "offline_access");
            Instant now = Instant.now();
            connections.save(new Connection(app.id(), Long.toString(organisation), tokens.accessToken(),
                    tokens.refreshToken(), tokens.accessTokenExpiresAt(), DialpadEnvironment.SANDBOX, now, now,
                    RefreshHealth.initial(refresher.policy().dueAt(now, tokens.accessTokenExpiresAt()))));
            webhooks.save(new NewDialpadWebhook(app.id(), "wh-" + i, "http://localhost/webhooks/dialpad/" + app.id(),
                    new DialpadWebhookSecret(secretOf(app.id())), List.of()));
            appIds.add(app.id());
        }
        return appIds;
    }

    private static String secretOf(UUID appId) {
        return "whsec-" + appId;
    }

    private static void awaitRefreshesBeyond(long count) throws Exception {
        long reached = Await.atMost(HANG_GUARD).pollingEvery(Duration.ofMillis(200))
                .until(dialpad::refreshCount, refreshes -> refreshes >= count);
        assertThat(reached).isGreaterThanOrEqualTo(count);
    }

    /** {@code GET /internal/encryption} as key id to rows, after checking the active key comes first. */
    private static Map<String, Long> encryption(Switchboard server) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/internal/encryption"))
                .header("Authorization", "Bearer " + INTERNAL_SECRET).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("keys").get(0).get("key_id").asText()).isEqualTo(body.get("active_key_id").asText());
        Map<String, Long> rows = new java.util.TreeMap<>();
        body.get("keys").forEach(key -> rows.put(key.get("key_id").asText(), key.get("rows").asLong()));
        return rows;
    }

    /** {@code switchboard_resealed_rows_total} as {@code /metrics} shows it. */
    private static double resealedRows(Switchboard server) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher line = java.util.regex.Pattern
                .compile("(?m)^switchboard_resealed_rows_total(?:\\{\\})? (\\S+)$").matcher(metrics);
        assertThat(line.find()).as("switchboard_resealed_rows_total in /metrics").isTrue();
        return Double.parseDouble(line.group(1));
    }

    private static long countEvents(String event) throws Exception {
        try (java.sql.Connection jdbc = testDatabase.connect(); Statement statement = jdbc.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT count(*) FROM audit_log WHERE event = '" + event + "'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static String randomKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static Configuration configuration(Path data, DatabaseConfig database, OAuthClient client, String ring) {
        Secrets secrets = new Secrets(SecretSetting.provided(INTERNAL_SECRET), new SecretSetting.GenerateInSandbox(),
                SecretSetting.provided(ring), new SecretSetting.GenerateInSandbox());
        DialpadConfig dialpadConfig = new DialpadConfig(
                Optional.of(new DialpadConfig.Client(client.clientId(), new Secret(client.clientSecret()))),
                URI.create(REDIRECT_URI), dialpad.baseUri(), List.of("calls:list", "offline_access"));
        return new Configuration(AppEnvironment.SANDBOX, "127.0.0.1", 0, URI.create("http://localhost:4000"),
                dialpadConfig, secrets, database, List.<IpRange>of(), RateLimitConfig.DEFAULTS,
                LoggingConfig.DEFAULTS, Optional.empty(), data);
    }

    /**
     * Signed per-app webhooks sent round-robin to the running instances, as a load balancer would: an instance is
     * taken out of the rotation before it stops and put back once started, so every failure is the server's.
     */
    private static final class Traffic implements Runnable {
        private final List<UUID> appIds;
        private final List<Switchboard> running = new CopyOnWriteArrayList<>();
        private final ReentrantReadWriteLock rotation = new ReentrantReadWriteLock();
        private final WebhookSender sender = WebhookSender.create();
        private final AtomicLong accepted = new AtomicLong();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private volatile boolean stopped;

        Traffic(List<UUID> appIds) {
            this.appIds = List.copyOf(appIds);
        }

        void add(Switchboard server) {
            running.add(server);
        }

        Switchboard restart(Switchboard old, java.util.function.Supplier<Switchboard> start) {
            rotation.writeLock().lock();
            try {
                running.remove(old);
            } finally {
                rotation.writeLock().unlock();
            }
            old.close();
            Switchboard started = start.get();
            running.add(started);
            return started;
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            long sent = 0;
            while (!stopped) {
                rotation.readLock().lock();
                try {
                    List<Switchboard> targets = List.copyOf(running);
                    if (targets.isEmpty()) {
                        continue;
                    }
                    UUID app = appIds.get((int) (sent % appIds.size()));
                    Switchboard target = targets.get((int) (sent % targets.size()));
                    sent++;
                    Delivery delivery = sender.sendJwt(URI.create("http://127.0.0.1:" + target.port()
                            + "/webhooks/dialpad/" + app), secretOf(app), DialpadEvents.call(sent, "ringing").build());
                    if (delivery.succeeded()) {
                        accepted.incrementAndGet();
                    } else {
                        failures.add(delivery.status() + " " + delivery.body());
                    }
                } catch (RuntimeException e) {
                    failures.add(e.toString());
                } finally {
                    rotation.readLock().unlock();
                }
            }
        }
    }
}
