package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.SlowClients;
import dev.switchboard.testkit.SlowClients.Shape;
import dev.switchboard.testkit.dialpad.Delivery;
import dev.switchboard.testkit.dialpad.DialpadEvent;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.testkit.dialpad.WebhookSender;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that send slowly cannot take the server: with 400 connections trickling a body a byte a second and more
 * trickling their request heads, {@code /health} answers and a verified webhook is stored, and every slow connection
 * is cut (bodies by the minimum rate, heads by their deadline). No figure is asserted: {@code SlowClientBench}
 * measures the latency.
 */
class SlowClientsTest {
    /** "Answers at all": far above any latency, far below forever. */
    private static final Duration ANSWERS_AT_ALL = Duration.ofSeconds(20);
    private static AdminServer server;

    @BeforeAll
    static void start() {
        // every slow connection comes from loopback: lift the per-address cap so that they all reach the server
        server = AdminServer.start(Map.of("HTTP_MAX_CONNECTIONS_PER_CLIENT", "1000"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void slowClientsWhen400BodiesTrickleThenHealthAnswersAWebhookIsStoredAndTheyAreAllCut() throws Exception {
        int port = server.switchboard.port();
        try (SlowClients bodies = SlowClients.open(port, "/webhooks/dialpad", 400, Shape.BODY);
             SlowClients heads = SlowClients.open(port, "/webhooks/dialpad", 50, Shape.HEAD)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(ANSWERS_AT_ALL).build();
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/health")).timeout(ANSWERS_AT_ALL).build(), HttpResponse.BodyHandlers.ofString());
            DialpadEvent event = DialpadEvents.call(System.nanoTime(), "ringing").put("company_id", 424_242L).build();
            Delivery delivery = WebhookSender.create().sendJwt(URI.create("http://127.0.0.1:" + port
                    + "/webhooks/dialpad"), AdminServer.WEBHOOK_SECRET, event);

            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(delivery.status()).isEqualTo(200);
            assertThat(stored(event)).isEqualTo(1);
            assertThat(eventually(() -> bodies.stillOpen() == 0 && heads.stillOpen() == 0)).isTrue();
            assertThat(bodies.answered(408)).as("bodies below the minimum rate").isEqualTo(400);
            assertThat(heads.closedWithoutAnswer()).as("heads past their deadline").isEqualTo(50);
        }
        assertThat(server.get("/health").status()).isEqualTo(200);
    }

    private static int stored(DialpadEvent event) throws Exception {
        try (Connection connection = server.testDatabase.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT count(*) FROM webhook_events WHERE dedup_key = ?")) {
            query.setString(1, "call:" + event.payload().get("call_id") + ":" + event.state() + ":"
                    + event.payload().get("event_timestamp"));
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    /** Polls {@code condition} for up to a minute: the head deadline is ten seconds, the sweep a fraction of one. */
    private static boolean eventually(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return condition.getAsBoolean();
    }
}
