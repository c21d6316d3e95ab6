package dev.switchboard.app;

import java.time.temporal.ChronoUnit;
import java.time.Instant;
import java.time.Duration;
import java.sql.Statement;
import java.sql.Connection;
import dev.switchboard.testkit.dialpad.WebhookSender;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.app.config.ProcessingConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.ConfigurationReader;
import dev.switchboard.app.config.ConfigurationResult;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.http.RateLimitConfig;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.PushClient;
import dev.switchboard.testkit.PushClient.KeyPlacement;
import dev.switchboard.testkit.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The edge of the whole server: readiness on the real database, the shared rate-limit store, production https. */
class SwitchboardEdgeTest {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static TestDatabase testDatabase;

    @TempDir
    Path data;

    @BeforeAll
    static void createDatabase() {
        testDatabase = TestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        testDatabase.close();
    }

    private static DatabaseConfig external(TestDatabase database) {
        return new DatabaseConfig.External(database.jdbcUrl(), Optional.empty(), Optional.empty(), 2);
    }

    /**
     * The metrics once a collection has been recorded: the JVM reports a GC pause to its listeners asynchronously, so
     * the pause timer may appear a moment after {@code System.gc()} returns.
     */
    private static String metricsAfterAGcPause(Switchboard switchboard) throws Exception {
        String metrics = Await.atMost(Duration.ofSeconds(10)).pollingEvery(Duration.ofMillis(20)).until(() -> {
            System.gc();
            return get(switchboard, "/metrics").body();
        }, body -> body.contains("jvm_gc_pause_seconds_count{"));
        assertThat(metrics).contains("jvm_gc_pause_seconds_count{");
        return metrics;
    }

    private static HttpResponse<String> get(Switchboard switchboard, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + switchboard.port() + path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsWhenEventsWaitThenBacklogFailedAndLagAreShownWithThePoolAndJvmMeters() throws Exception {
        String webhookSecret = "metrics-test-shared-webhook-secret-0123";
        MutableClock clock = MutableClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        try (Switchboard switchboard = Switchboard.start(TestConfigurations.sandbox(data, external(testDatabase),
                        TestConfigurations.providedSecrets(webhookSecret)),
                new ProcessingConfig(0), new SecureRandom(), clock)) {
            URI hook = URI.create("http://127.0.0.1:" + switchboard.port() + "/webhooks/dialpad");
            WebhookSender sender = WebhookSender.create();
            for (long callId = 9_100_000_001L; callId <= 9_100_000_003L; callId++) {
                assertThat(sender.sendJwt(hook, webhookSecret, DialpadEvents.call(callId, "ringing").build())
                        .status()).isEqualTo(200);
            }
            clock.advance(Duration.ofSeconds(42));
            switchboard.inboxMeters().refresh();
            String waiting = metricsAfterAGcPause(switchboard);

            assertThat(waiting)
                    .contains("switchboard_events_backlog 3.0")
                    .contains("switchboard_events_failed 0.0")
                    .contains("switchboard_events_lag_seconds 42.0")
                    .contains("hikaricp_connections{pool=\"switchboard\"}")
                    .contains("hikaricp_connections_pending{pool=\"switchboard\"}")
                    .contains("hikaricp_connections_acquire_seconds_count{pool=\"switchboard\"}")
                    .containsPattern("jvm_memory_used_bytes\\{area=\"heap\",id=\"[^\"]+\"} [1-9]")
                    .containsPattern("jvm_threads_live_threads [1-9]");

            // one event fails, the others are processed: the backlog keeps the failed one, which leaves the lag
            try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement()) {
                statement.executeUpdate("UPDATE webhook_events SET status = 'failed', attempts = 1 "
                        + "WHERE payload::jsonb ->> 'call_id' = '9100000001'");
                statement.executeUpdate("UPDATE webhook_events SET status = 'processed', processed_at = now() "
                        + "WHERE status = 'received'");
            }
            switchboard.inboxMeters().refresh();

            assertThat(get(switchboard, "/metrics").body())
                    .contains("switchboard_events_backlog 1.0")
                    .contains("switchboard_events_failed 1.0")
                    .contains("switchboard_events_lag_seconds 0.0");
        }
    }

    @Test
    void readyWhenDatabaseAnswersThen200AndWhenItIsGoneThen503() throws Exception {
        TestDatabase own = TestDatabase.create();
        try (Switchboard switchboard = Switchboard.start(TestConfigurations.sandbox(data, external(own)),
                new SecureRandom())) {
            HttpResponse<String> ready = get(switchboard, "/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"ready\"}");

            own.close();

            HttpResponse<String> gone = get(switchboard, "/ready");
            assertThat(gone.statusCode()).isEqualTo(503);
            assertThat(gone.body()).contains("\"error\":\"not_ready\"");
            assertThat(get(switchboard, "/health").statusCode()).as("liveness does not depend on it").isEqualTo(200);
        }
    }

    @Test
    void rateLimitsWhenTwoInstancesUseThePostgresStoreThenTheyShareOneBudget() throws Exception {
        Configuration config = TestConfigurations.sandbox(data, external(testDatabase))
                .withRateLimits(new RateLimitConfig(RateLimitConfig.Store.POSTGRES, 3, 100, 1000, 10));
        try (Switchboard first = Switchboard.start(config, new SecureRandom());
             Switchboard second = Switchboard.start(config, new SecureRandom())) {
            assertThat(get(first, "/api/anything").headers().firstValue("RateLimit-Remaining")).hasValue("2");
            assertThat(get(second, "/api/anything").headers().firstValue("RateLimit-Remaining")).hasValue("1");
            assertThat(get(first, "/api/anything").headers().firstValue("RateLimit-Remaining")).hasValue("0");

            HttpResponse<String> refused = get(second, "/api/anything");
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(get(first, "/api/anything").statusCode()).isEqualTo(429);
        }
    }

    @Test
    void rateLimitsWhenWebSocketUpgradesReachTheApiLimitThenTheNextIs429WithHeadersWhateverItsKey() throws Exception {
        Configuration config = TestConfigurations.sandbox(data, external(testDatabase))
                .withRateLimits(new RateLimitConfig(RateLimitConfig.Store.MEMORY, 3, 100, 1000, 10));
        try (Switchboard switchboard = Switchboard.start(config, new SecureRandom())) {
            String secret = switchboard.configuration().secrets().requireInternalApiSecret().value();
            HttpResponse<String> created = CLIENT.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + switchboard.port() + "/internal/apps"))
                    .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"sockets\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String key = new ObjectMapper().readTree(created.body()).get("api_key").asText();
            int port = switchboard.port();
            assertThat(PushClient.handshakeStatus(port, key, KeyPlacement.HEADER)).isEqualTo(101);
            assertThat(PushClient.handshakeStatus(port, "raw_" + "0".repeat(64), KeyPlacement.QUERY)).isEqualTo(401);
            assertThat(PushClient.handshakeStatus(port, key, KeyPlacement.QUERY)).isEqualTo(101);

            HttpResponse<?> refused = PushClient.refusal(port, key, KeyPlacement.HEADER).orElseThrow();

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(refused.headers().firstValue("RateLimit-Limit")).hasValue("3");
            assertThat(refused.headers().firstValue("RateLimit-Remaining")).hasValue("0");
            assertThat(refused.headers().firstValue("RateLimit-Policy")).hasValue("3;w=60");
            assertThat(PushClient.handshakeStatus(port, "raw_" + "1".repeat(64), KeyPlacement.HEADER))
                    .as("a key guess is refused before it is checked").isEqualTo(429);
            assertThat(get(switchboard, "/api/calls", "x-app-api-key", key).statusCode()).isEqualTo(429);
        }
    }

    @Test
    void rateLimitsWhenEachInstanceHasTheMemoryStoreThenBudgetsAreSeparate() throws Exception {
        Configuration config = TestConfigurations.sandbox(data, external(testDatabase))
                .withRateLimits(new RateLimitConfig(RateLimitConfig.Store.MEMORY, 100, 1, 1000, 10));
        try (Switchboard first = Switchboard.start(config, new SecureRandom());
             Switchboard second = Switchboard.start(config, new SecureRandom())) {
            // unauthenticated, so 401, but counted against the per-instance budget all the same
            assertThat(get(first, "/internal/anything").statusCode()).isEqualTo(401);
            assertThat(get(first, "/internal/anything").statusCode()).isEqualTo(429);
            assertThat(get(second, "/internal/anything").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void oauthWithoutADialpadClientWhenRequestedThenItsOwnChecksFirstThen503() throws Exception {
        try (Switchboard switchboard = Switchboard.start(TestConfigurations.sandbox(data, external(testDatabase)),
                new SecureRandom())) {
            String secret = switchboard.configuration().secrets().requireInternalApiSecret().value();
            String base = "http://127.0.0.1:" + switchboard.port();
            HttpResponse<String> created = CLIENT.send(HttpRequest.newBuilder(URI.create(base + "/internal/apps"))
                    .header("Authorization", "Bearer " + secret).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"crm\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
            String appId = created.body().replaceAll("(?s).*\"app_id\"\\s*:\\s*\"([0-9a-f-]{36})\".*", "$1");

            assertThat(get(switchboard, "/auth/dialpad/connect").statusCode()).isEqualTo(400);
            assertThat(get(switchboard, "/auth/dialpad/connect?app_id=not-a-uuid").statusCode()).isEqualTo(400);
            assertThat(get(switchboard, "/auth/dialpad/connect?app_id=" + UUID.randomUUID()).statusCode())
                    .isEqualTo(404);
            HttpResponse<String> known = get(switchboard, "/auth/dialpad/connect?app_id=" + appId);
            assertThat(known.statusCode()).isEqualTo(503);
            assertThat(known.body()).contains("\"error\":\"dialpad_not_configured\"");
            HttpRequest.Builder disconnect = HttpRequest.newBuilder(URI.create(base + "/auth/dialpad/disconnect/" + appId))
                    .POST(HttpRequest.BodyPublishers.noBody());
            assertThat(CLIENT.send(disconnect.build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(401);
            assertThat(CLIENT.send(disconnect.header("Authorization", "Bearer " + secret).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
        }
    }

    @Test
    void metricsWhenRequestedThenPrometheusTextOfRequestsAndPoolWithoutCredentials() throws Exception {
        try (Switchboard switchboard = Switchboard.start(TestConfigurations.sandbox(data, external(testDatabase)),
                new SecureRandom())) {
            get(switchboard, "/health");
            HttpResponse<String> unsigned = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + switchboard.port() + "/webhooks/dialpad"))
                    .header("Content-Type", "application/jwt").POST(HttpRequest.BodyPublishers.ofString("x.y.z"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            HttpResponse<String> metrics = get(switchboard, "/metrics");

            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
            assertThat(metrics.body())
                    .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/health\",status=\"200\"}")
                    .contains("hikaricp_connections_active{pool=\"switchboard\"}")
                    .contains("hikaricp_connections_max{pool=\"switchboard\"} 2.0")
                    .doesNotContain("switchboard_db_pool_")
                    .contains("switchboard_webhook_events_total{outcome=\"" + "stored\"} 0.0")
                    .contains("switchboard_webhook_events_total{outcome=\"invalid_payload\"} 1.0")
                    .contains("switchboard_webhook_rejections_total{reason=\"malformed\","
                            + "route=\"/webhooks/dialpad\"} 1.0")
                    .contains("switchboard_webhook_rejections_total{reason=\"bad_signature\","
                            + "route=\"/webhooks/dialpad/{app_id}\"} 0.0");
            assertThat(unsigned.statusCode()).isEqualTo(400);
        }
    }

    @Test
    void productionWhenPlainHttpThenRedirectedToThePublicHostAndProbesAreNot() throws Exception {
        try (Switchboard switchboard = Switchboard.start(production(), new SecureRandom())) {
            String[] redirect = raw(switchboard.port(), "/api/calls?limit=5", "attacker.example");
            String[] health = raw(switchboard.port(), "/health", "10.0.0.5");
            String[] ready = raw(switchboard.port(), "/ready", "10.0.0.5");

            assertThat(redirect[0]).isEqualTo("308");
            assertThat(redirect[1]).isEqualTo("https://cti.example.com/api/calls?limit=5");
            assertThat(health[0]).isEqualTo("200");
            assertThat(ready[0]).isEqualTo("200");
            assertThat(health[2]).as("no HSTS over http").isEmpty();
        }
    }

    @Test
    void productionWhenTrustedProxySaysHttpsThenServedWithHsts() throws Exception {
        try (Switchboard switchboard = Switchboard.start(production(), new SecureRandom())) {
            HttpResponse<String> response = get(switchboard, "/", "X-Forwarded-Proto", "https");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Strict-Transport-Security"))
                    .hasValue("max-age=31536000; includeSubDomains");
        }
    }

    private Configuration production() {
        Map<String, String> env = new HashMap<>();
        env.put("APP_ENV", "production");
        env.put("PUBLIC_BASE_URL", "https://cti.example.com");
        env.put("INTERNAL_API_SECRET", "internal-secret-0123456789abcdefghij");
        env.put("SESSION_SECRET", "session-secret-0123456789abcdefghijk");
        env.put("TOKEN_ENCRYPTION_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        env.put("DIALPAD_WEBHOOK_SECRET", "webhook-secret-value-0123456789abcdef");
        env.put("DIALPAD_PROD_CLIENT_ID", "prod-client");
        env.put("DIALPAD_PROD_CLIENT_SECRET", "prod-client-secret");
        env.put("DATABASE_URL", testDatabase.jdbcUrl());
        env.put("DB_MAX_CLIENTS", "2");
        env.put("TRUST_PROXY", "loopback");
        ConfigurationResult result = ConfigurationReader.read(env);
        assertThat(result).isInstanceOf(ConfigurationResult.Valid.class);
        return ((ConfigurationResult.Valid) result).configuration().withListenAddress("127.0.0.1", 0);
    }

    /** Status, Location and HSTS of a raw request with a chosen Host header (the JDK client will not send one). */
    private static String[] raw(int port, String path, String host) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String status = in.readLine().split(" ")[1];
            String location = "";
            String hsts = "";
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                String lower = line.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("location:")) {
                    location = line.substring(9).strip();
                } else if (lower.startsWith("strict-transport-security:")) {
                    hsts = line.substring(26).strip();
                }
            }
            return new String[] {status, location, hsts};
        }
    }
}
