package com.example.webhooks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.core.apikey.ApiKeyAuthenticator;
import dev.switchboard.core.apikey.ApiKeyCandidate;
import dev.switchboard.core.apikey.ApiKeyCheck;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.webhook.WebhookCheck;
import dev.switchboard.core.webhook.WebhookVerifier;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * A service of its own, on the JDK's {@code com.sun.net.httpserver}, that uses Switchboard's core alone: it verifies
 * Dialpad webhooks ({@link WebhookVerifier}) and checks API keys ({@link ApiKeyAuthenticator}) kept in a map.
 *
 * <p>{@code POST /webhooks/dialpad} answers 200 for an authentic delivery, 401 for a bad signature and 400 for a
 * malformed one; {@code GET /whoami} answers 200 with the app id for a good {@code x-app-api-key}, 401 otherwise.
 *
 * <p>Usage: {@code try (WebhookService service = WebhookService.start(0, secret, keys, Clock.systemUTC())) {...}}.
 */
public final class WebhookService implements AutoCloseable {
    private final HttpServer server;

    private WebhookService(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts the service on {@code port} of the loopback interface (0 for any free port).
     *
     * @param secret the secret Dialpad signs webhooks with
     * @param keys   the stored keys by lookup prefix ({@link ApiKeys#lookupPrefixOf}), as the embedder keeps them
     */
    public static WebhookService start(int port, byte[] secret, Map<String, ApiKeyCandidate> keys, Clock clock)
            throws IOException {
        // tag::wiring[]
        WebhookVerifier webhooks = WebhookVerifier.create(clock);
        ApiKeyAuthenticator apiKeys = ApiKeyAuthenticator.create(ApiKeys.create(new SecureRandom()),
                prefix -> Optional.ofNullable(keys.get(prefix)));

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/webhooks/dialpad", exchange -> {
            String legacySignature = exchange.getRequestHeaders().getFirst(WebhookVerifier.SIGNATURE_HEADER);
            WebhookCheck check = webhooks.check(exchange.getRequestBody().readAllBytes(), legacySignature, secret);
            respond(exchange, check instanceof WebhookCheck.Rejected rejected
                    ? (rejected.reason().isSignatureProblem() ? 401 : 400) : 200, "");
        });
        server.createContext("/whoami", exchange -> {
            ApiKeyCheck check = apiKeys.authenticate(exchange.getRequestHeaders().getFirst("x-app-api-key"));
            if (check instanceof ApiKeyCheck.Authenticated app) {
                respond(exchange, 200, app.appId().toString());
            } else {
                respond(exchange, 401, "");
            }
        });
        server.start();
        // end::wiring[]
        return new WebhookService(server);
    }

    /** The port the service listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
