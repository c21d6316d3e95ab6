package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.app.AdminServer.Response;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.testkit.dialpad.DialpadEndpoint;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rotating an app's Dialpad webhook secret against the real server, PostgreSQL and the fake Dialpad: the server's
 * clock is a {@link MutableClock}, moved past the overlap to see the previous secret refused.
 */
class WebhookSecretRotationTest {
    private static final SignedDeliveries DELIVERIES = new SignedDeliveries(9_300_000_000L);
    private static MutableClock clock;
    private static AdminServer server;

    @BeforeAll
    static void start() {
        clock = MutableClock.at(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        server = AdminServer.start(clock);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void rotateWhenDialpadAcceptsThenOldAndNewWorkOnEveryInstanceFor24HoursThenOldIsRefused() throws Exception {
        App app = server.newApp();
        long organisation = server.connect(app);
        String id = server.post("/internal/webhooks/create?app_id=" + app.id(), null).json().get("id").asText();
        String old = secretAtDialpad(organisation);
        try (Switchboard other = Switchboard.start(server.switchboard.configuration(), new SecureRandom(), clock)) {
            // both instances have read the app's secrets and keep them
            assertThat(DELIVERIES.deliver(server.switchboard, app, old)).isEqualTo(200);
            assertThat(DELIVERIES.deliver(other, app, old)).isEqualTo(200);
            Instant rotatedAt = clock.instant();

            Response rotated = server.post("/internal/webhooks/" + id + "/rotate-secret", null);

            assertThat(rotated.status()).isEqualTo(200);
            String fresh = secretAtDialpad(organisation);
            assertThat(fresh).isNotEqualTo(old);
            JsonNode body = rotated.json();
            assertThat(body.get("id").asText()).isEqualTo(id);
            assertThat(Instant.parse(body.get("previous_secret_expires_at").asText()))
                    .isEqualTo(rotatedAt.plus(Duration.ofHours(24)));
            assertThat(rotated.body()).doesNotContain(fresh).doesNotContain(old);
            assertThat(server.get("/internal/webhooks/" + id).body()).doesNotContain("secret");

            assertThat(DELIVERIES.deliver(server.switchboard, app, fresh)).as("new, at once here").isEqualTo(200);
            assertThat(DELIVERIES.deliverUntil(other, app, fresh, 200)).as("new, on the other instance").isEqualTo(200);
            assertThat(DELIVERIES.deliver(server.switchboard, app, old)).as("old, during the overlap").isEqualTo(200);
            assertThat(DELIVERIES.deliver(other, app, old)).as("old, during the overlap, other").isEqualTo(200);
            assertThat(DELIVERIES.deliver(other, app, "guessed-secret")).isEqualTo(401);
            List<AuditEvent> audited = server.audit.read(app.id(), Instant.EPOCH,
                    clock.instant().plus(Duration.ofDays(2)), 10);
            assertThat(audited).extracting(AuditEvent::type).contains(AuditEventType.WEBHOOK_SECRET_ROTATED);
            assertThat(audited).flatExtracting(event -> List.copyOf(event.details().values()))
                    .noneMatch(value -> value.contains(fresh) || value.contains(old));

            clock.advance(Duration.ofHours(24));

            assertThat(DELIVERIES.deliver(server.switchboard, app, old)).as("old, after the overlap").isEqualTo(401);
            assertThat(DELIVERIES.deliver(other, app, old)).as("old, after the overlap, other").isEqualTo(401);
            assertThat(DELIVERIES.deliver(server.switchboard, app, fresh)).as("new, after the overlap").isEqualTo(200);
            assertThat(DELIVERIES.deliver(other, app, fresh)).as("new, after the overlap, other").isEqualTo(200);
        }
    }

    @Test
    void rotateWhenDialpadFailsThen502AndNothingChangedAndTheOldSecretAloneWorks() {
        App app = server.newApp();
        long organisation = server.connect(app);
        String id = server.post("/internal/webhooks/create?app_id=" + app.id(), null).json().get("id").asText();
        String old = secretAtDialpad(organisation);
        server.dialpad.failNext(DialpadEndpoint.WEBHOOKS, 1, 500, "{\"error\": \"internal\", \"raw\": \"upstream\"}");

        Response failed = server.post("/internal/webhooks/" + id + "/rotate-secret", null);

        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.error()).isEqualTo("dialpad_error");
        assertThat(failed.json().get("message").asText()).doesNotContain("upstream");
        assertThat(secretAtDialpad(organisation)).isEqualTo(old);
        assertThat(DELIVERIES.deliver(server.switchboard, app, old)).isEqualTo(200);
        assertThat(server.audit.read(app.id(), Instant.EPOCH, clock.instant().plus(Duration.ofDays(2)), 10))
                .extracting(AuditEvent::type).doesNotContain(AuditEventType.WEBHOOK_SECRET_ROTATED);
    }

    @Test
    void rotateWhenIdUnknownOrMalformedOrUnauthenticatedThenRefused() {
        Response unknown = server.post("/internal/webhooks/" + UUID.randomUUID() + "/rotate-secret", null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).isEqualTo("webhook_not_found");
        assertThat(server.post("/internal/webhooks/12/rotate-secret", null).error()).isEqualTo("invalid_webhook_id");
        assertThat(server.send("POST", "/internal/webhooks/" + UUID.randomUUID() + "/rotate-secret", null, null)
                .status()).isEqualTo(401);
    }

    private static String secretAtDialpad(long organisation) {
        return server.dialpad.webhooks(organisation).get(0).signingSecret().orElseThrow();
    }
}
