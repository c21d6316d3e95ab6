package dev.switchboard.http;

import static dev.switchboard.http.TestHttp.get;
import static dev.switchboard.http.TestHttp.request;
import static dev.switchboard.http.TestHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ReadinessAndMetricsTest {
    private static final String SECRET = "internal-secret-0123456789abcdefghij";
    private static final RouteGroup ROUTES = routes -> routes.get("/api/calls/{id}", ctx -> ctx.json(Map.of()));

    private HttpServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private int start(EdgePolicy policy) {
        server = HttpServer.start(HttpSettings.of("127.0.0.1", 0), policy, List.of(ROUTES));
        return server.port();
    }

    @Test
    void readyWhenDatabaseAnswersThen200ElseJson503() throws Exception {
        AtomicBoolean up = new AtomicBoolean(true);
        int port = start(EdgePolicy.defaults().withDatabaseReady(up::get));

        HttpResponse<String> ready = get(port, "/ready");
        up.set(false);
        HttpResponse<String> down = get(port, "/ready");

        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"ready\"}");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).isEqualTo("{\"error\":\"not_ready\",\"message\":\"The database is not reachable.\"}");
    }

    @Test
    void readyWhenDrainingThen503WhileEveryOtherRouteIsStillServed() throws Exception {
        int port = start(EdgePolicy.defaults());
        assertThat(get(port, "/ready").statusCode()).isEqualTo(200);

        server.drain();

        HttpResponse<String> ready = get(port, "/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).isEqualTo("{\"error\":\"shutting_down\",\"message\":\"The server is shutting down.\"}");
        assertThat(get(port, "/health").statusCode()).isEqualTo(200);
        assertThat(get(port, "/api/calls/1").statusCode()).isEqualTo(200);
    }

    @Test
    void closeWhenARequestIsInFlightThenItIsAnsweredBeforeTheServerStops() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RouteGroup slow = routes -> routes.get("/slow", ctx -> {
            entered.countDown();
            release.await();
            ctx.json(Map.of("done", true));
        });
        server = HttpServer.start(HttpSettings.of("127.0.0.1", 0), EdgePolicy.defaults(), List.of(slow));
        int port = server.port();
        CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return get(port, "/slow");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        entered.await();
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);
        // the stop has begun (the port no longer accepts) while the request still waits
        while (accepts(port)) {
            Thread.onSpinWait();
        }
        release.countDown();
        stopping.join();

        assertThat(inFlight.join().statusCode()).isEqualTo(200);
        assertThat(inFlight.join().body()).isEqualTo("{\"done\":true}");
    }

    private static boolean accepts(int port) {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void readyWhenTheCheckHangsThen503WithinTheTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        int port = start(EdgePolicy.defaults().withDatabaseReady(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return true;
        }));
        try {
            assertThat(get(port, "/ready").statusCode()).isEqualTo(503);
        } finally {
            release.countDown();
        }
    }

    @Test
    void metricsWhenRequestsWereServedThenPrometheusTextWithRouteTemplates() throws Exception {
        int port = start(EdgePolicy.defaults());
        get(port, "/api/calls/11111111-1111-1111-1111-111111111111");
        get(port, "/api/calls/22222222-2222-2222-2222-222222222222");
        get(port, "/nowhere/at/all");

        HttpResponse<String> metrics = get(port, "/metrics");

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        assertThat(metrics.body())
                .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/api/calls/{id}\",status=\"200\"} 2")
                .contains("http_server_requests_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"} 1")
                .contains("jvm_memory_used_bytes")
                .doesNotContain("11111111-1111");
    }

    @Test
    void metricsWhenProtectedThenBearerRequired() throws Exception {
        int port = start(EdgePolicy.defaults().withMetricsAuth(InternalAuth.withSecret(SECRET)));

        assertThat(get(port, "/metrics").statusCode()).isEqualTo(401);
        assertThat(send(request(port, "/metrics").header("Authorization", "Bearer wrong")).statusCode()).isEqualTo(403);
        assertThat(send(request(port, "/metrics").header("Authorization", "Bearer " + SECRET)).statusCode())
                .isEqualTo(200);
    }

    @Test
    void requestLogWhenRequestHasAQueryThenOneLineWithTheRouteTemplateAndNeverTheQuery() throws Exception {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(RequestLog.class);
        appender.start();
        logger.addAppender(appender);
        try {
            int port = start(EdgePolicy.defaults());
            HttpResponse<String> response = send(request(port,
                    "/api/calls/42?api_key=raw_secretvalue&code=authcode123&state=st4te")
                    .header("X-Request-Id", "request-0000001"));
            assertThat(response.statusCode()).isEqualTo(200);

            // the line is written after the answer is sent: wait for it rather than for a fixed time
            while (appender.list.isEmpty()) {
                Thread.onSpinWait();
            }
            ILoggingEvent line = appender.list.get(0);
            Map<String, Object> fields = line.getKeyValuePairs().stream()
                    .collect(Collectors.toMap(kv -> kv.key, kv -> kv.value));
            assertThat(line.getFormattedMessage()).startsWith("GET /api/calls/{id} 200 ");
            assertThat(fields).containsEntry("event", "http_request").containsEntry("route", "/api/calls/{id}")
                    .containsEntry("status", 200).containsEntry("method", "GET").containsEntry("client_ip", "127.0.0.1")
                    .containsKey("duration_ms");
            assertThat(line.getMDCPropertyMap()).containsEntry("request_id", "request-0000001");
            assertThat(line.toString() + fields).doesNotContain("raw_secretvalue", "authcode123", "st4te", "/42");
        } finally {
            logger.detachAppender(appender);
        }
    }
}
