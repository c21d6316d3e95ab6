package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InternalAuthTest {
    private static final String SECRET = "internal-secret-of-at-least-32-characters!";
    private static HttpServer server;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        InternalAuth auth = InternalAuth.withSecret(SECRET);
        RouteGroup internal = routes -> {
            routes.before("/internal/*", auth::require);
            routes.get("/internal/ping", ctx -> ctx.json(java.util.Map.of("ok", true)));
        };
        server = HttpServer.start(HttpSettings.of("127.0.0.1", 0), List.of(internal));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> ping(String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/internal/ping"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void requireWhenHeaderMissingOrNotBearerThen401() throws Exception {
        assertThat(ping(null).statusCode()).isEqualTo(401);
        assertThat(ping("Basic " + SECRET).statusCode()).isEqualTo(401);
        assertThat(ping("Bearer").statusCode()).isEqualTo(401);
    }

    @Test
    void requireWhenSecretWrongThen403() throws Exception {
        HttpResponse<String> response = ping("Bearer " + SECRET + "x");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("\"error\":\"forbidden\"").doesNotContain(SECRET);
        assertThat(ping("Bearer " + SECRET.substring(0, 10)).statusCode()).isEqualTo(403);
    }

    @Test
    void requireWhenSecretRightThenPassesInAnyCaseOfTheScheme() throws Exception {
        assertThat(ping("Bearer " + SECRET).statusCode()).isEqualTo(200);
        assertThat(ping("bearer " + SECRET).statusCode()).isEqualTo(200);
    }

    @Test
    void withSecretWhenBlankThenRejected() {
        assertThatThrownBy(() -> InternalAuth.withSecret(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void withSecretsWhenTwoThenEitherPassesAndAnyOtherIsRefused() throws Exception {
        String next = "next-internal-secret-of-32-characters-or-more";
        InternalAuth auth = InternalAuth.withSecrets(List.of(SECRET, next));
        RouteGroup internal = routes -> {
            routes.before("/internal/*", auth::require);
            routes.get("/internal/ping", ctx -> ctx.json(java.util.Map.of("ok", true)));
        };
        try (HttpServer rotating = HttpServer.start(HttpSettings.of("127.0.0.1", 0), List.of(internal))) {
            URI uri = URI.create("http://127.0.0.1:" + rotating.port() + "/internal/ping");
            for (var entry : java.util.Map.of(SECRET, 200, next, 200, "third-secret-of-at-least-32-characters!!", 403,
                    SECRET + "," + next, 403).entrySet()) {
                HttpResponse<String> response = CLIENT.send(HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + entry.getKey()).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("status").isEqualTo(entry.getValue());
            }
        }
    }

    @Test
    void withSecretsWhenEmptyOrOneBlankThenRejected() {
        assertThatThrownBy(() -> InternalAuth.withSecrets(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> InternalAuth.withSecrets(List.of(SECRET, " ")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
