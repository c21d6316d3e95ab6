package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.ConnectionLookup;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.testing.InMemoryDialpadWebhookStore;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class WebhookSecretRotatorTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final String TOKEN = "access-token-value";
    private static final DialpadWebhookSecret OLD = new DialpadWebhookSecret("old-webhook-secret-value");

    private final UUID appId = UUID.randomUUID();
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final InMemoryDialpadWebhookStore store = new InMemoryDialpadWebhookStore(clock);
    private final List<AuditEvent> audited = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();
    private final AtomicReference<DialpadWebhookAdmin.Update> answer =
            new AtomicReference<>(new DialpadWebhookAdmin.Updated());
    private final AtomicReference<DialpadWebhookSecret> sentSecret = new AtomicReference<>();
    private Optional<Connection> connection = Optional.of(connection(false));
    private final WebhookSecretRotator rotator = WebhookSecretRotator.create(this::find, dialpad(), store,
            audited::add, new SecureRandom(), clock);

    private Connection connection(boolean needsReconnect) {
        RefreshHealth health = new RefreshHealth(Optional.empty(), Optional.empty(), needsReconnect ? 1 : 0,
                Optional.empty(), needsReconnect, NOW);
        return new Connection(appId, "42", TOKEN, "refresh-token-value", NOW.plusSeconds(3600),
                DialpadEnvironment.SANDBOX, NOW, NOW, health);
    }

    private Optional<Connection> find(UUID app) {
        return app.equals(appId) ? connection : Optional.empty();
    }

    /** Only the secret update is expected; anything else fails the test. */
    private DialpadWebhookAdmin dialpad() {
        return (DialpadWebhookAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {DialpadWebhookAdmin.class}, (proxy, method, args) -> {
                    if (method.getName().equals("updateWebhookSecret")) {
                        assertThat(args[0]).isEqualTo(TOKEN);
                        calls.add("update " + args[1] + " " + args[2]);
                        sentSecret.set((DialpadWebhookSecret) args[3]);
                        return answer.get();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private DialpadWebhook webhook() {
        return store.save(new NewDialpadWebhook(appId, "w1", "https://cti.example/webhooks/dialpad/" + appId, OLD,
                List.of("call:s1", "sms:s2")));
    }

    @Test
    void rotateWhenDialpadAcceptsThenNewSecretStoredOldKept24HoursAndAuditedWithoutSecrets() {
        DialpadWebhook webhook = webhook();

        SecretRotation rotation = rotator.rotate(webhook.id(), Optional.of("192.0.2.1"));

        Instant until = NOW.plus(Duration.ofHours(24));
        assertThat(rotation).isEqualTo(new SecretRotation.Rotated(webhook, until));
        assertThat(calls).containsExactly("update w1 https://cti.example/webhooks/dialpad/" + appId);
        DialpadWebhookSecret fresh = sentSecret.get();
        assertThat(fresh.value()).hasSize(43).isNotEqualTo(OLD.value());
        assertThat(store.secrets(appId)).containsExactly(fresh,
                new DialpadWebhookSecret(OLD.value(), Optional.of(until)));
        assertThat(audited).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(AuditEventType.WEBHOOK_SECRET_ROTATED);
            assertThat(event.details()).containsEntry("previous_secret_expires_at", until.toString());
            assertThat(event.details().values()).noneMatch(v -> v.contains(fresh.value()) || v.contains(OLD.value()));
        });
    }

    @Test
    void rotateWhenDialpadFailsOrHasNoSuchWebhookThenNothingChangedAndNothingAudited() {
        DialpadWebhook webhook = webhook();
        for (DialpadWebhookAdmin.Update failure : List.of(new DialpadWebhookAdmin.Unavailable("timeout"),
                new DialpadWebhookAdmin.Refused(403, "forbidden", "refused"), new DialpadWebhookAdmin.NotFound())) {
            answer.set(failure);

            SecretRotation rotation = rotator.rotate(webhook.id(), Optional.empty());

            assertThat(rotation).isInstanceOf(SecretRotation.DialpadFailed.class);
            assertThat(store.secrets(appId)).containsExactly(OLD);
        }
        assertThat(audited).isEmpty();
    }

    @Test
    void rotateWhenUnknownOrNotConnectedThenDialpadNotCalled() {
        assertThat(rotator.rotate(UUID.randomUUID(), Optional.empty())).isEqualTo(new SecretRotation.NotFound());
        DialpadWebhook webhook = webhook();
        connection = Optional.of(connection(true));
        assertThat(rotator.rotate(webhook.id(), Optional.empty()))
                .isEqualTo(new SecretRotation.NotConnected(webhook));
        connection = Optional.empty();
        assertThat(rotator.rotate(webhook.id(), Optional.empty()))
                .isEqualTo(new SecretRotation.NotConnected(webhook));
        assertThat(calls).isEmpty();
        assertThat(store.secrets(appId)).containsExactly(OLD);
    }
}
