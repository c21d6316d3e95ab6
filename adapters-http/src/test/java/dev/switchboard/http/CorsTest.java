package dev.switchboard.http;

import static dev.switchboard.http.TestHttp.request;
import static dev.switchboard.http.TestHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CorsTest {
    private static final RouteGroup ROUTES = routes -> routes.get("/api/calls", ctx -> ctx.json(List.of()));

    private HttpServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private int start(Cors cors) {
        server = HttpServer.start(HttpSettings.of("127.0.0.1", 0), EdgePolicy.defaults().withCors(cors), List.of(ROUTES));
        return server.port();
    }

    private static HttpRequest.Builder preflight(int port, String origin) {
        return request(port, "/api/calls").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin).header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "x-app-api-key");
    }

    @Test
    void corsWhenNotConfiguredThenNoHeaderAndNoPreflightAnswer() throws Exception {
        int port = start(Cors.off());

        HttpResponse<String> simple = send(request(port, "/api/calls").header("Origin", "https://crm.example.com"));
        HttpResponse<String> preflight = send(preflight(port, "https://crm.example.com"));

        assertThat(simple.statusCode()).isEqualTo(200);
        assertThat(simple.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(preflight.statusCode()).isIn(404, 405);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).isEmpty();
    }

    @Test
    void corsWhenOriginIsAllowedThenPreflightAnsweredAndResponseCarriesTheOrigin() throws Exception {
        int port = start(Cors.allowing(List.of("https://crm.example.com")));

        HttpResponse<String> preflight = send(preflight(port, "https://crm.example.com"));
        HttpResponse<String> simple = send(request(port, "/api/calls").header("Origin", "https://crm.example.com"));

        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://crm.example.com");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods")).hasValueSatisfying(
                methods -> assertThat(methods).contains("GET"));
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValueSatisfying(
                headers -> assertThat(headers).containsIgnoringCase("x-app-api-key"));
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
        assertThat(simple.statusCode()).isEqualTo(200);
        assertThat(simple.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://crm.example.com");
        assertThat(simple.headers().firstValue("Vary")).hasValue("Origin");
    }

    @Test
    void corsWhenOriginIsNotAllowedThenNoHeaderAndNoPreflightAnswer() throws Exception {
        int port = start(Cors.allowing(List.of("https://crm.example.com")));

        HttpResponse<String> preflight = send(preflight(port, "https://evil.example.com"));
        HttpResponse<String> simple = send(request(port, "/api/calls").header("Origin", "https://crm.example.com.evil.example"));

        assertThat(preflight.statusCode()).isIn(404, 405);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(simple.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
}
