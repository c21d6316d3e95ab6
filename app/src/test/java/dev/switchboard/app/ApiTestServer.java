package dev.switchboard.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.http.HttpServer;
import dev.switchboard.testkit.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;

/** A real Switchboard on port 0 against a test database, with a small HTTP client for tests of the API. */
final class ApiTestServer implements AutoCloseable {
    private static final ObjectMapper MAPPER = HttpServer.objectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final Switchboard switchboard;
    private final String internalSecret;

    private ApiTestServer(Switchboard switchboard) {
        this.switchboard = switchboard;
        this.internalSecret = switchboard.configuration().secrets().requireInternalApiSecret().value();
    }

    static ApiTestServer start(TestDatabase database, Path dataDirectory) {
        return start(database, dataDirectory, Clock.systemUTC());
    }

    /** As {@link #start(TestDatabase, Path)}, every service reading the time from {@code clock}. */
    static ApiTestServer start(TestDatabase database, Path dataDirectory, Clock clock) {
        DatabaseConfig config = new DatabaseConfig.External(database.jdbcUrl(), Optional.empty(), Optional.empty(), 4);
        return new ApiTestServer(Switchboard.start(TestConfigurations.sandbox(dataDirectory, config),
                new SecureRandom(), clock));
    }

    Switchboard switchboard() {
        return switchboard;
    }

    /** A response with its body read as JSON (null when the body is empty). */
    record Answer(int status, JsonNode json, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Answer internal(String method, String path, String jsonBody) {
        HttpRequest.Builder request = builder(path).header("Authorization", "Bearer " + internalSecret);
        if (jsonBody != null) {
            request.header("Content-Type", "application/json");
        }
        return send(request.method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(jsonBody)));
    }

    /** GET with the key in {@code x-app-api-key} (null: no key header). */
    Answer api(String path, String key) {
        HttpRequest.Builder request = builder(path);
        if (key != null) {
            request.header("x-app-api-key", key);
        }
        return send(request.GET());
    }

    /** GET with the given headers, name then value. */
    Answer get(String path, String... headers) {
        HttpRequest.Builder request = builder(path);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.GET());
    }

    /** Any request with the given headers, name then value. */
    Answer send(String method, String path, String body, String... headers) {
        HttpRequest.Builder request = builder(path);
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Creates or rotates the app's key through the API and returns the plaintext key. */
    String issueKey(Object appId) {
        Answer answer = internal("POST", "/internal/apps/" + appId + "/api-key", null);
        if (answer.status() != 200) {
            throw new IllegalStateException("issuing a key answered " + answer.status());
        }
        return answer.json().get("api_key").asText();
    }

    private HttpRequest.Builder builder(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + switchboard.port() + path));
    }

    private static Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isEmpty() ? null : MAPPER.readTree(response.body());
            return new Answer(response.statusCode(), json, response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        switchboard.close();
    }
}
