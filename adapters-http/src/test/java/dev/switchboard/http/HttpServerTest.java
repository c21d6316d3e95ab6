package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.StoreUnavailableException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpServerTest {
    private static HttpServer server;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        RouteGroup probes = routes -> {
            routes.get("/probe/problem", ctx -> {
                throw Problems.forbidden("app_inactive", "This app is inactive.");
            });
            routes.get("/probe/database", ctx -> {
                throw new StoreUnavailableException("could not read (SQLTransientConnectionException)", null);
            });
            routes.get("/probe/bug", ctx -> {
                throw new IllegalStateException("secret-internal-detail");
            });
            routes.post("/probe/echo", ctx -> ctx.result(ctx.bodyAsBytes()));
        };
        server = HttpServer.start(new HttpSettings("127.0.0.1", 0, 1024), List.of(probes));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    }

    @Test
    void rootWhenCalledThenAnswersThePredecessorsMessage() throws Exception {
        HttpResponse<String> response = send(get("/"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"message\":\"CTI Server is running\"}");
    }

    @Test
    void everyAnswerWhenSentThenCarriesSecurityHeadersAndARequestId() throws Exception {
        for (String path : List.of("/health", "/nowhere", "/probe/problem", "/probe/bug")) {
            HttpResponse<String> response = send(get(path));
            assertThat(response.headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
            assertThat(response.headers().firstValue("Referrer-Policy")).as(path).hasValue("no-referrer");
            assertThat(response.headers().firstValue("Cache-Control")).as(path).hasValue("no-store");
            assertThat(response.headers().firstValue("X-Request-Id")).as(path).isPresent();
            assertThat(response.headers().firstValue("Server")).as(path).isEmpty();
        }
    }

    @Test
    void requestIdWhenCallerSendsAWellFormedOneThenEchoedElseReplaced() throws Exception {
        assertThat(send(get("/health").header("X-Request-Id", "trace-12345678")).headers()
                .firstValue("X-Request-Id")).hasValue("trace-12345678");
        assertThat(send(get("/health").header("X-Request-Id", "bad id <script>")).headers()
                .firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches("[0-9a-f-]{36}"));
    }

    @Test
    void unknownRouteWhenCalledThenJson404() throws Exception {
        HttpResponse<String> response = send(get("/nowhere"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        assertThat(response.body()).contains("\"error\":\"not_found\"").contains("\"message\":");
    }

    @Test
    void wrongMethodWhenCalledThenJson405() throws Exception {
        HttpResponse<String> response = send(get("/health").DELETE());
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.body()).contains("\"error\":\"method_not_allowed\"");
    }

    @Test
    void problemWhenThrownThenItsStatusAndCode() throws Exception {
        HttpResponse<String> response = send(get("/probe/problem"));
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).isEqualTo("{\"error\":\"app_inactive\",\"message\":\"This app is inactive.\"}");
    }

    @Test
    void storeUnavailableWhenThrownThen503WithRetryAfter() throws Exception {
        HttpResponse<String> response = send(get("/probe/database"));
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(response.body()).contains("\"error\":\"service_unavailable\"").doesNotContain("SQL");
    }

    @Test
    void unexpectedFailureWhenThrownThenGeneric500WithoutDetails() throws Exception {
        HttpResponse<String> response = send(get("/probe/bug"));
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).contains("\"error\":\"internal_error\"")
                .doesNotContain("secret-internal-detail").doesNotContain("IllegalStateException");
    }

    @Test
    void bodyWhenOverTheLimitThen413AndWithinTheLimitThenAccepted() throws Exception {
        HttpResponse<String> tooLarge = send(get("/probe/echo").POST(HttpRequest.BodyPublishers.ofString("x".repeat(1025))));
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).contains("\"error\":\"payload_too_large\"");

        HttpResponse<String> fits = send(get("/probe/echo").POST(HttpRequest.BodyPublishers.ofString("x".repeat(1024))));
        assertThat(fits.statusCode()).isEqualTo(200);
        assertThat(fits.body()).hasSize(1024);
    }
}
