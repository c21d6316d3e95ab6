package dev.switchboard.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.oauth.BrowserBinding;
import dev.switchboard.core.oauth.DialpadConnections;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.OAuthFlows;
import dev.switchboard.core.oauth.Pkce;
import dev.switchboard.core.oauth.RefreshPolicy;
import dev.switchboard.core.testing.InMemoryApiKeyStore;
import dev.switchboard.core.testing.InMemoryAppStore;
import dev.switchboard.core.testing.InMemoryConnectTokenStore;
import dev.switchboard.core.testing.InMemoryConnectionStore;
import dev.switchboard.core.testing.InMemoryOAuthFlowStore;
import dev.switchboard.core.testing.RecordingAuditLog;
import dev.switchboard.core.testing.ScriptedAuthorizationServer;
import dev.switchboard.core.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The real HTTP server with the OAuth and app routes over in-memory ports; one per test class. */
final class RoutesFixture implements AutoCloseable {
    static final String INTERNAL_SECRET = "internal-secret-for-route-tests-0123456789";

    final InMemoryAppStore apps = new InMemoryAppStore();
    final RecordingAuditLog audit = new RecordingAuditLog();
    final InMemoryConnectionStore connections = new InMemoryConnectionStore();
    final InMemoryApiKeyStore apiKeys = new InMemoryApiKeyStore(apps);
    final ScriptedAuthorizationServer dialpad = new ScriptedAuthorizationServer();
    final MutableClock clock = MutableClock.at(Instant.parse("2025-06-01T08:00:00Z"));
    final HttpServer server;
    final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    RoutesFixture(boolean production, Optional<URI> successUrl) {
        SecureRandom random = new SecureRandom();
        Pkce pkce = Pkce.using(random);
        InMemoryConnectTokenStore connectTokens = new InMemoryConnectTokenStore();
        OAuthFlows flows = OAuthFlows.create(apps, connectTokens, new InMemoryOAuthFlowStore(),
                BrowserBinding.of("session-secret-for-route-tests-0123456789", random), pkce::newVerifier, audit, clock, random);
        DialpadConnections dialpadConnections = DialpadConnections.create(dialpad, connections, connectTokens,
                apps, audit, RefreshPolicy.defaults(), DialpadEnvironment.SANDBOX, clock);
        InternalAuth internalAuth = InternalAuth.withSecret(INTERNAL_SECRET);
        server = HttpServer.start(HttpSettings.of("127.0.0.1", 0), List.of(
                OAuthRoutes.create(flows, dialpadConnections, dialpad, internalAuth,
                        new OAuthRoutes.Settings(List.of("calls:list", "offline_access"), production, successUrl)),
                AppRoutes.create(apps, ApiKeys.create(random), apiKeys, connections, flows, audit, internalAuth,
                        URI.create("https://switchboard.example/"), clock)));
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    }

    HttpRequest.Builder internal(String path) {
        return request(path).header("Authorization", "Bearer " + INTERNAL_SECRET);
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String path, String json) throws Exception {
        return send(internal(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return HttpServer.objectMapper().readTree(response.body());
    }

    @Override
    public void close() {
        server.close();
    }
}
