package dev.switchboard.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.apps.App;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.ConfigurationReader;
import dev.switchboard.app.config.ConfigurationResult;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiAuditLog;
import dev.switchboard.persistence.JdbiConnectionStore;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.FakeDialpad;
import dev.switchboard.testkit.dialpad.IssuedTokens;
import dev.switchboard.testkit.dialpad.OAuthClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real Switchboard on a random port, configured from environment variables as in production use, against a fresh
 * database and a fake Dialpad with which it is registered as an OAuth client (so it can connect apps and refreshes
 * their tokens in the background); with direct access to the stores to seed apps, connections and audit events.
 */
final class AdminServer implements AutoCloseable {
    static final String INTERNAL_SECRET = "internal-secret-for-tests-0123456789abcdef";
    static final String PUBLIC_BASE_URL = "https://switchboard.example.test";
    static final String WEBHOOK_SECRET = "shared-webhook-secret-for-tests";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong ORGANISATIONS = new AtomicLong(7_000_000_000_000_000L);

    final TestDatabase testDatabase;
    final FakeDialpad dialpad;
    final Switchboard switchboard;
    final Database database;
    final JdbiAppStore apps;
    final JdbiAuditLog audit;
    final JdbiConnectionStore connections;
    private final OAuthClient client;
    private final byte[] key = new byte[32];
    private final HttpClient http = HttpClient.newHttpClient();

    private AdminServer(Map<String, String> extraEnvironment, Clock clock) {
        new SecureRandom().nextBytes(key);
        testDatabase = TestDatabase.create();
        dialpad = FakeDialpad.start();
        client = dialpad.registerNewClient(PUBLIC_BASE_URL + "/auth/dialpad/callback");
        Map<String, String> environment = new HashMap<>();
        environment.put("APP_ENV", "sandbox");
        environment.put("HOST", "127.0.0.1");
        environment.put("PUBLIC_BASE_URL", PUBLIC_BASE_URL);
        environment.put("DATABASE_URL", testDatabase.jdbcUrl());
        environment.put("DB_MAX_CLIENTS", "4");
        environment.put("DIALPAD_SANDBOX_BASE_URL", dialpad.baseUrl());
        environment.put("DIALPAD_SANDBOX_CLIENT_ID", client.clientId());
        environment.put("DIALPAD_SANDBOX_CLIENT_SECRET", client.clientSecret());
        environment.put("INTERNAL_API_SECRET", INTERNAL_SECRET);
        environment.put("SESSION_SECRET", "session-secret-for-tests-0123456789abcdef");
        environment.put("TOKEN_ENCRYPTION_KEY", Base64.getEncoder().encodeToString(key));
        environment.put("DIALPAD_WEBHOOK_SECRET", WEBHOOK_SECRET);
        environment.putAll(extraEnvironment);
        ConfigurationResult result = ConfigurationReader.read(environment);
        if (!(result instanceof ConfigurationResult.Valid valid)) {
            throw new IllegalStateException("test configuration refused: " + result);
        }
        Configuration configuration = valid.configuration().withListenAddress("127.0.0.1", 0);
        switchboard = Switchboard.start(configuration, new SecureRandom(), clock);
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        apps = JdbiAppStore.create(database, Clock.systemUTC());
        audit = JdbiAuditLog.create(database);
        connections = JdbiConnectionStore.create(database,
                SecretCipher.fromBase64Key(Base64.getEncoder().encodeToString(key), new SecureRandom()));
    }

    static AdminServer start() {
        return new AdminServer(Map.of(), Clock.systemUTC());
    }

    /** A server whose environment also has {@code extraEnvironment} (which wins over the defaults above). */
    static AdminServer start(Map<String, String> extraEnvironment) {
        return new AdminServer(extraEnvironment, Clock.systemUTC());
    }

    /** A server whose own time is {@code clock} (the test's stores keep the system clock). */
    static AdminServer start(Clock clock) {
        return new AdminServer(Map.of(), clock);
    }

    App newApp() {
        return apps.create("admin test " + UUID.randomUUID());
    }

    /** Connects {@code app} to a fresh Dialpad organisation (tokens granted by the fake); returns the organisation. */
    long connect(App app) {
        long organisation = ORGANISATIONS.incrementAndGet();
        IssuedTokens tokens = dialpad.issueTokens(client.clientId(), organisation, "calls:list offline_access");
        Instant now = Instant.now();
        connections.save(new Connection(app.id(), Long.toString(organisation), tokens.accessToken(),
                tokens.refreshToken(), tokens.accessTokenExpiresAt(), DialpadEnvironment.SANDBOX, now, now,
                RefreshHealth.initial(now.plus(Duration.ofMinutes(30)))));
        return organisation;
    }

    Response get(String path) {
        return send("GET", path, null, INTERNAL_SECRET);
    }

    Response delete(String path) {
        return send("DELETE", path, null, INTERNAL_SECRET);
    }

    Response post(String path, String json) {
        return send("POST", path, json, INTERNAL_SECRET);
    }

    Response send(String method, String path, String json, String bearer) {
        return exchange(method, path, json, bearer == null ? Map.of() : Map.of("Authorization", "Bearer " + bearer));
    }

    /** Any request with exactly the given headers (and a JSON content type when there is a body). */
    Response exchange(String method, String path, String json, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + switchboard.port() + path));
        headers.forEach(request::header);
        if (json != null) {
            request.header("Content-Type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(),
                    response.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            throw new IllegalStateException("request failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            switchboard.close();
        } finally {
            database.close();
            dialpad.close();
            testDatabase.close();
        }
    }

    /** An answer: status, body text, content type; {@link #json()} parses the body. */
    record Response(int status, String body, String contentType) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }

        String error() {
            return json().path("error").asText();
        }
    }
}
