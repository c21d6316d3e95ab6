package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.app.AdminServer.Response;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.webhook.DialpadWebhookProvisioner;
import dev.switchboard.testkit.dialpad.DialpadEndpoint;
import dev.switchboard.testkit.dialpad.DialpadEvent;
import dev.switchboard.testkit.dialpad.FakeSubscription;
import dev.switchboard.testkit.dialpad.FakeWebhook;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DialpadWebhookRoutesTest {
    private static final SignedDeliveries DELIVERIES = new SignedDeliveries(9_100_000_000L);
    private static AdminServer server;

    @BeforeAll
    static void start() {
        server = AdminServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void healDialpad() {
        server.dialpad.stopFailing();
    }

    private static Response create(App app) {
        return server.post("/internal/webhooks/create?app_id=" + app.id(), null);
    }

    @Test
    void createWhenConnectedThenWebhookAndBothSubscriptionsAtDialpadAndNoSecretAnywhere() throws SQLException {
        App app = server.newApp();
        long organisation = server.connect(app);

        Response created = create(app);

        assertThat(created.status()).isEqualTo(201);
        JsonNode body = created.json();
        String hookUrl = AdminServer.PUBLIC_BASE_URL + "/webhooks/dialpad/" + app.id();
        assertThat(body.get("id").asText()).isNotBlank();
        assertThat(body.get("app_id").asText()).isEqualTo(app.id().toString());
        assertThat(body.get("hook_url").asText()).isEqualTo(hookUrl);
        assertThat(body.get("created_at").asText()).isNotBlank();
        List<FakeWebhook> webhooks = server.dialpad.webhooks(organisation);
        assertThat(webhooks).singleElement().satisfies(webhook -> {
            assertThat(webhook.hookUrl()).isEqualTo(hookUrl);
            assertThat(Long.toString(webhook.id())).isEqualTo(body.get("dialpad_webhook_id").asText());
        });
        String secret = webhooks.get(0).signingSecret().orElseThrow();
        assertThat(Base64.getUrlDecoder().decode(secret)).hasSizeGreaterThanOrEqualTo(32);
        List<FakeSubscription> subscriptions = server.dialpad.subscriptions(organisation);
        assertThat(subscriptions).hasSize(2).allSatisfy(subscription -> {
            assertThat(subscription.webhookId()).isEqualTo(webhooks.get(0).id());
            assertThat(subscription.enabled()).isTrue();
        });
        FakeSubscription call = subscriptions.stream().filter(s -> s.kind() == DialpadEvent.Kind.CALL).findFirst()
                .orElseThrow();
        FakeSubscription sms = subscriptions.stream().filter(s -> s.kind() == DialpadEvent.Kind.SMS).findFirst()
                .orElseThrow();
        assertThat(call.callStates()).containsExactlyElementsOf(DialpadWebhookProvisioner.CALL_STATES)
                .contains("ringing", "connected", "hangup", "missed", "voicemail", "recording");
        assertThat(Long.toString(call.id())).isEqualTo(body.get("call_subscription_id").asText());
        assertThat(Long.toString(sms.id())).isEqualTo(body.get("sms_subscription_id").asText());

        assertThat(created.body()).doesNotContain(secret);
        String id = body.get("id").asText();
        Response read = server.get("/internal/webhooks/" + id);
        Response list = server.get("/internal/webhooks?app_id=" + app.id());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("hook_url").asText()).isEqualTo(hookUrl);
        assertThat(read.body()).doesNotContain(secret).doesNotContain("secret");
        assertThat(list.json().get("webhooks")).singleElement()
                .satisfies(item -> assertThat(item.get("id").asText()).isEqualTo(id));
        assertThat(list.body()).doesNotContain(secret);
        assertThat(storedColumns(app.id())).isNotEmpty().noneMatch(column -> column.contains(secret));
        List<AuditEvent> audited = server.audit.read(app.id(), Instant.EPOCH, Instant.now().plusSeconds(60), 10);
        assertThat(audited).extracting(AuditEvent::type).containsExactly(AuditEventType.WEBHOOK_CREATED);
        assertThat(audited.get(0).details().values()).noneMatch(value -> value.contains(secret));
    }

    @Test
    void createWhenAppIsUnknownNotConnectedInactiveOrIdIsBadThenNothingAtDialpad() {
        App notConnected = server.newApp();
        App inactive = server.newApp();
        long organisation = server.connect(inactive);
        server.apps.update(inactive.id(), null, false);

        Response unconnected = create(notConnected);
        Response deactivated = create(inactive);

        assertThat(unconnected.status()).isEqualTo(409);
        assertThat(unconnected.error()).isEqualTo("not_connected");
        assertThat(deactivated.status()).isEqualTo(403);
        assertThat(deactivated.error()).isEqualTo("app_inactive");
        assertThat(server.dialpad.webhooks(organisation)).isEmpty();
        Response unknown = server.post("/internal/webhooks/create?app_id=" + UUID.randomUUID(), null);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).isEqualTo("app_not_found");
        assertThat(server.post("/internal/webhooks/create?app_id=12", null).error()).isEqualTo("invalid_app_id");
        assertThat(server.post("/internal/webhooks/create", null).error()).isEqualTo("invalid_app_id");
    }

    @Test
    void createWhenASubscriptionFailsAtDialpadThen502AndWhatWasCreatedThereIsDeleted() {
        App app = server.newApp();
        long organisation = server.connect(app);
        server.dialpad.failNext(DialpadEndpoint.SMS_SUBSCRIPTIONS, 1, 500,
                "{\"error\": \"internal\", \"detail\": \"raw upstream text\"}");

        Response failed = create(app);

        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.error()).isEqualTo("dialpad_error");
        assertThat(failed.json().get("message").asText()).startsWith("Dialpad did not create the sms subscription")
                .doesNotContain("raw upstream text");
        assertThat(server.dialpad.webhooks(organisation)).isEmpty();
        assertThat(server.dialpad.subscriptions(organisation)).isEmpty();
        assertThat(server.get("/internal/webhooks?app_id=" + app.id()).json().get("webhooks")).isEmpty();
    }

    @Test
    void createWhenDialpadRefusesTheWebhookThen502NamingItsStatus() {
        App app = server.newApp();
        long organisation = server.connect(app);
        server.dialpad.failNext(DialpadEndpoint.WEBHOOKS, 1, 403, "{\"error\": \"forbidden\"}");

        Response failed = create(app);

        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.json().get("message").asText()).contains("webhook").contains("403");
        assertThat(server.dialpad.webhooks(organisation)).isEmpty();
    }

    @Test
    void deleteWhenDialpadAnswersThenRemovedThereAndHere() {
        App app = server.newApp();
        long organisation = server.connect(app);
        String id = create(app).json().get("id").asText();

        Response deleted = server.delete("/internal/webhooks/" + id);

        assertThat(deleted.status()).isEqualTo(200);
        assertThat(deleted.json().get("deleted").asBoolean()).isTrue();
        assertThat(server.dialpad.webhooks(organisation)).isEmpty();
        assertThat(server.dialpad.subscriptions(organisation)).isEmpty();
        assertThat(server.get("/internal/webhooks/" + id).error()).isEqualTo("webhook_not_found");
        assertThat(server.delete("/internal/webhooks/" + id).status()).isEqualTo(404);
        assertThat(server.audit.read(app.id(), Instant.EPOCH, Instant.now().plusSeconds(60), 10))
                .extracting(AuditEvent::type)
                .containsExactly(AuditEventType.WEBHOOK_CREATED, AuditEventType.WEBHOOK_DELETED);
    }

    @Test
    void createAndDeleteWhenTheAppsPathWasUsedBeforeThenEachInstanceVerifiesTheNewSecretAndRefusesTheOld()
            throws Exception {
        App app = server.newApp();
        long organisation = server.connect(app);
        try (Switchboard other = Switchboard.start(server.switchboard.configuration(), new SecureRandom())) {
            // both instances have looked the app up and keep its answer: it exists and has no secret yet
            assertThat(DELIVERIES.deliver(server.switchboard, app, "guessed-secret")).isEqualTo(401);
            assertThat(DELIVERIES.deliver(other, app, "guessed-secret")).isEqualTo(401);

            String id = create(app).json().get("id").asText();
            String secret = server.dialpad.webhooks(organisation).get(0).signingSecret().orElseThrow();

            assertThat(DELIVERIES.deliver(server.switchboard, app, secret)).as("the instance that created it, at once")
                    .isEqualTo(200);
            assertThat(DELIVERIES.deliverUntil(other, app, secret, 200)).as("another instance, once the notice arrives")
                    .isEqualTo(200);
            assertThat(DELIVERIES.deliver(other, app, "guessed-secret")).isEqualTo(401);

            assertThat(server.delete("/internal/webhooks/" + id).status()).isEqualTo(200);

            assertThat(DELIVERIES.deliver(server.switchboard, app, secret)).as("the instance that deleted it, at once")
                    .isEqualTo(401);
            assertThat(DELIVERIES.deliverUntil(other, app, secret, 401)).isEqualTo(401);
        }
    }

    @Test
    void deleteWhenDialpadFailsThen502AndKeptHereUntilARetrySucceeds() {
        App app = server.newApp();
        long organisation = server.connect(app);
        String id = create(app).json().get("id").asText();
        server.dialpad.failNext(DialpadEndpoint.WEBHOOKS, 1, 503, "{\"error\": \"busy\"}");

        Response failed = server.delete("/internal/webhooks/" + id);

        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.error()).isEqualTo("dialpad_error");
        assertThat(server.get("/internal/webhooks/" + id).status()).isEqualTo(200);
        assertThat(server.dialpad.webhooks(organisation)).hasSize(1);

        Response retried = server.delete("/internal/webhooks/" + id);

        assertThat(retried.status()).isEqualTo(200);
        assertThat(server.dialpad.webhooks(organisation)).isEmpty();
        assertThat(server.get("/internal/webhooks/" + id).status()).isEqualTo(404);
    }

    @Test
    void deleteWhenAlreadyGoneAtDialpadThenDeletedHere() {
        App app = server.newApp();
        server.connect(app);
        String id = create(app).json().get("id").asText();
        server.dialpad.failAlways(DialpadEndpoint.ALL, 404, "{\"error\": \"not_found\"}");

        Response deleted = server.delete("/internal/webhooks/" + id);

        assertThat(deleted.status()).isEqualTo(200);
        server.dialpad.stopFailing();
        assertThat(server.get("/internal/webhooks/" + id).status()).isEqualTo(404);
    }

    @Test
    void readAndListWhenIdsAreBadOrUnknownThen400Or404() {
        assertThat(server.get("/internal/webhooks/not-a-uuid").error()).isEqualTo("invalid_webhook_id");
        assertThat(server.get("/internal/webhooks/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(server.delete("/internal/webhooks/not-a-uuid").status()).isEqualTo(400);
        assertThat(server.get("/internal/webhooks?app_id=nope").error()).isEqualTo("invalid_app_id");
        assertThat(server.get("/internal/webhooks").error()).isEqualTo("invalid_app_id");
        assertThat(server.get("/internal/webhooks?app_id=" + UUID.randomUUID()).error()).isEqualTo("app_not_found");
    }

    /** Every column of the app's webhook rows, as text (byte columns as UTF-8 and as base64). */
    private static List<String> storedColumns(UUID appId) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Connection connection = server.testDatabase.connect();
             PreparedStatement select = connection.prepareStatement("SELECT * FROM dialpad_webhooks WHERE app_id = ?")) {
            select.setObject(1, appId);
            try (ResultSet rows = select.executeQuery()) {
                int count = rows.getMetaData().getColumnCount();
                while (rows.next()) {
                    for (int i = 1; i <= count; i++) {
                        Object value = rows.getObject(i);
                        if (value instanceof byte[] bytes) {
                            columns.add(new String(bytes, StandardCharsets.UTF_8));
                            columns.add(Base64.getEncoder().encodeToString(bytes));
                        } else if (value != null) {
                            columns.add(rows.getString(i));
                        }
                    }
                }
            }
        }
        return columns;
    }
}
