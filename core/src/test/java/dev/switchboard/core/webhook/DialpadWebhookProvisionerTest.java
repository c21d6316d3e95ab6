package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppStore;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.ConnectionStore;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.testing.InMemoryDialpadWebhookStore;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DialpadWebhookProvisionerTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final String TOKEN = "access-token-value";

    private final App app = new App(UUID.randomUUID(), "Acme", true, NOW);
    private final Map<UUID, Connection> connections = new HashMap<>();
    private final ScriptedDialpad dialpad = new ScriptedDialpad();
    private final InMemoryDialpadWebhookStore store = new InMemoryDialpadWebhookStore(Clock.fixed(NOW, ZoneOffset.UTC));
    private final List<AuditEvent> audited = new ArrayList<>();
    private final DialpadWebhookProvisioner provisioner = DialpadWebhookProvisioner.create(apps(),
            connectionStore(), dialpad, store, audited::add, URI.create("https://cti.example/"), new SecureRandom(),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void createWhenEveryStepSucceedsThenStoredWithTypedSubscriptionsAndAudited() {
        connect(false);

        WebhookCreation creation = provisioner.create(app.id(), Optional.of("192.0.2.1"));

        assertThat(creation).isInstanceOf(WebhookCreation.Created.class);
        DialpadWebhook webhook = ((WebhookCreation.Created) creation).webhook();
        assertThat(webhook.hookUrl()).isEqualTo("https://cti.example/webhooks/dialpad/" + app.id());
        assertThat(webhook.subscriptionIds()).containsExactly("call:s1", "sms:s2");
        assertThat(DialpadWebhookProvisioner.callSubscriptionId(webhook)).contains("s1");
        assertThat(DialpadWebhookProvisioner.smsSubscriptionId(webhook)).contains("s2");
        assertThat(dialpad.calls).containsExactly("create webhook", "create call w1", "create sms w1");
        assertThat(store.lastSecret().orElseThrow().value()).hasSize(43);
        assertThat(audited).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(AuditEventType.WEBHOOK_CREATED);
            assertThat(event.details().values()).doesNotContain(store.lastSecret().orElseThrow().value());
        });
    }

    @Test
    void createWhenSmsSubscriptionFailsThenCallSubscriptionAndWebhookDeletedAndNothingStored() {
        connect(false);
        dialpad.failCreate = "sms";

        WebhookCreation creation = provisioner.create(app.id(), Optional.empty());

        assertThat(creation).isInstanceOfSatisfying(WebhookCreation.DialpadFailed.class,
                failed -> assertThat(failed.step()).isEqualTo(DialpadStep.SMS_SUBSCRIPTION));
        assertThat(dialpad.calls).endsWith("delete call s1", "delete webhook w1");
        assertThat(store.webhooks()).isEmpty();
        assertThat(audited).isEmpty();
    }

    @Test
    void createWhenStoringFailsThenDialpadCleanedUpAndFailurePropagated() {
        connect(false);
        store.failSaves(true);

        assertThatThrownBy(() -> provisioner.create(app.id(), Optional.empty()))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(dialpad.calls).endsWith("delete sms s2", "delete call s1", "delete webhook w1");
    }

    @Test
    void createWhenNotConnectedOrNeedingReconnectThenNothingAtDialpad() {
        assertThat(provisioner.create(app.id(), Optional.empty())).isInstanceOf(WebhookCreation.NotConnected.class);
        connect(true);
        assertThat(provisioner.create(app.id(), Optional.empty())).isInstanceOf(WebhookCreation.NotConnected.class);
        assertThat(provisioner.create(UUID.randomUUID(), Optional.empty()))
                .isInstanceOf(WebhookCreation.AppNotFound.class);
        assertThat(dialpad.calls).isEmpty();
    }

    @Test
    void removeWhenDialpadSaysNotFoundThenTreatedAsGoneAndForgottenHere() {
        connect(false);
        DialpadWebhook webhook = ((WebhookCreation.Created) provisioner.create(app.id(), Optional.empty())).webhook();
        dialpad.removal = new DialpadWebhookAdmin.NotFound();

        WebhookRemoval removal = provisioner.remove(webhook.id(), Optional.empty());

        assertThat(removal).isInstanceOf(WebhookRemoval.Removed.class);
        assertThat(dialpad.calls).endsWith("delete call s1", "delete sms s2", "delete webhook w1");
        assertThat(store.webhooks()).isEmpty();
        assertThat(audited).extracting(AuditEvent::type).endsWith(AuditEventType.WEBHOOK_DELETED);
    }

    @Test
    void removeWhenDialpadFailsThenKeptHere() {
        connect(false);
        DialpadWebhook webhook = ((WebhookCreation.Created) provisioner.create(app.id(), Optional.empty())).webhook();
        dialpad.removal = new DialpadWebhookAdmin.Unavailable("timeout");

        WebhookRemoval removal = provisioner.remove(webhook.id(), Optional.empty());

        assertThat(removal).isInstanceOfSatisfying(WebhookRemoval.DialpadFailed.class,
                failed -> assertThat(failed.step()).isEqualTo(DialpadStep.CALL_SUBSCRIPTION));
        assertThat(store.webhooks()).containsKey(webhook.id());
        assertThat(provisioner.remove(UUID.randomUUID(), Optional.empty())).isInstanceOf(WebhookRemoval.NotFound.class);
    }

    private void connect(boolean needsReconnect) {
        RefreshHealth health = new RefreshHealth(Optional.empty(), Optional.empty(), needsReconnect ? 1 : 0,
                Optional.empty(), needsReconnect, NOW);
        connections.put(app.id(), new Connection(app.id(), "42", TOKEN, "refresh-token-value", NOW.plusSeconds(3600),
                DialpadEnvironment.SANDBOX, NOW, NOW, health));
    }

    private AppStore apps() {
        return new AppStore() {
            @Override
            public App create(String name) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<App> find(UUID id) {
                return id.equals(app.id()) ? Optional.of(app) : Optional.empty();
            }

            @Override
            public List<App> list() {
                return List.of(app);
            }

            @Override
            public Optional<App> update(UUID id, String name, Boolean active) {
                throw new UnsupportedOperationException();
            }
        };
    }

    /** Only {@code find} is used by the provisioner; every other method fails the test. */
    private ConnectionStore connectionStore() {
        return (ConnectionStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConnectionStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("find")) {
                        return Optional.ofNullable(connections.get((UUID) args[0]));
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Answers creations with w1, s1, s2; a chosen creation can fail; deletions answer {@link #removal}. */
    private static final class ScriptedDialpad implements DialpadWebhookAdmin {
        final List<String> calls = new ArrayList<>();
        String failCreate = "";
        Removal removal = new Removed();
        private int subscriptions;

        @Override
        public Creation createWebhook(String accessToken, URI hookUrl, DialpadWebhookSecret secret) {
            assertThat(accessToken).isEqualTo(TOKEN);
            calls.add("create webhook");
            return failCreate.equals("webhook") ? new Refused(403, "forbidden", "refused") : new Created("w1");
        }

        @Override
        public Creation createCallSubscription(String accessToken, String webhookId, List<String> callStates) {
            calls.add("create call " + webhookId);
            return failCreate.equals("call") ? new Unavailable("timeout") : new Created("s" + ++subscriptions);
        }

        @Override
        public Creation createSmsSubscription(String accessToken, String webhookId) {
            calls.add("create sms " + webhookId);
            return failCreate.equals("sms") ? new Unavailable("timeout") : new Created("s" + ++subscriptions);
        }

        @Override
        public Removal deleteWebhook(String accessToken, String webhookId) {
            calls.add("delete webhook " + webhookId);
            return removal;
        }

        @Override
        public Removal deleteCallSubscription(String accessToken, String subscriptionId) {
            calls.add("delete call " + subscriptionId);
            return removal;
        }

        @Override
        public Removal deleteSmsSubscription(String accessToken, String subscriptionId) {
            calls.add("delete sms " + subscriptionId);
            return removal;
        }

        @Override
        public Update updateWebhookSecret(String accessToken, String webhookId, URI hookUrl,
                                          DialpadWebhookSecret secret) {
            calls.add("update webhook " + webhookId);
            return new Updated();
        }

        @Override
        public Listing listWebhooks(String accessToken) {
            return new Listed(List.of());
        }
    }
}
