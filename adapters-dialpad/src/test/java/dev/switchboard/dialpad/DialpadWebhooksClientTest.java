package dev.switchboard.dialpad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.webhook.DialpadWebhookAdmin;
import dev.switchboard.core.webhook.DialpadWebhookAdmin.Created;
import dev.switchboard.core.webhook.DialpadWebhookAdmin.Listed;
import dev.switchboard.core.webhook.DialpadWebhookAdmin.NotFound;
import dev.switchboard.core.webhook.DialpadWebhookAdmin.Refused;
import dev.switchboard.core.webhook.DialpadWebhookAdmin.RemoteWebhook;
import dev.switchboard.core.webhook.DialpadWebhookAdmin.Removed;
import dev.switchboard.core.webhook.DialpadWebhookAdmin.Unavailable;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.testkit.dialpad.DialpadEndpoint;
import dev.switchboard.testkit.dialpad.DialpadEvent;
import dev.switchboard.testkit.dialpad.FakeDialpad;
import dev.switchboard.testkit.dialpad.FakeSubscription;
import dev.switchboard.testkit.dialpad.FakeWebhook;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DialpadWebhooksClientTest {
    static final String CLIENT_ID = "switchboard-webhooks-client";
    static final URI HOOK = URI.create("https://switchboard.example/webhooks/dialpad/6c1f2f0e-4c4e-4d55-9d4b-1f0f3c1b2a10");
    static final String SECRET_VALUE = "per-app-webhook-secret-9f8e7d6c";
    static final DialpadWebhookSecret SECRET = new DialpadWebhookSecret(SECRET_VALUE);
    static final AtomicLong ORGANISATIONS = new AtomicLong(7_000_000_000L);

    static FakeDialpad fake;
    DialpadWebhooksClient client;
    long organisation;
    String token;

    @BeforeAll
    static void startFake() {
        fake = FakeDialpad.start();
        fake.registerClient(CLIENT_ID, "client-secret-webhooks-0123456789", "http://localhost:4000/cb");
    }

    @AfterAll
    static void stopFake() {
        fake.close();
    }

    @BeforeEach
    void connect() {
        fake.resetBehaviour();
        client = DialpadWebhooksClient.create(DialpadEndpoints.of(fake.baseUrl()));
        // A fresh organisation per test keeps each test's webhooks to itself.
        organisation = ORGANISATIONS.incrementAndGet();
        token = fake.issueTokens(CLIENT_ID, organisation, "offline_access").accessToken();
    }

    String created(DialpadWebhookAdmin.Creation creation) {
        assertThat(creation).isInstanceOf(Created.class);
        return ((Created) creation).id();
    }

    @Test
    void createWebhookWhenTokenIsLiveThenDialpadHoldsTheUrlAndSecret() {
        String id = created(client.createWebhook(token, HOOK, SECRET));

        List<FakeWebhook> webhooks = fake.webhooks(organisation);
        assertThat(webhooks).hasSize(1);
        assertThat(Long.toString(webhooks.get(0).id())).isEqualTo(id);
        assertThat(webhooks.get(0).hookUrl()).isEqualTo(HOOK.toString());
        assertThat(webhooks.get(0).signingSecret()).contains(SECRET_VALUE);
    }

    @Test
    void createSubscriptionsWhenWebhookExistsThenCallAndSmsSubscriptionsPointAtIt() {
        String webhookId = created(client.createWebhook(token, HOOK, SECRET));

        String callId = created(client.createCallSubscription(token, webhookId,
                List.of("ringing", "connected", "hangup", "voicemail")));
        String smsId = created(client.createSmsSubscription(token, webhookId));

        List<FakeSubscription> subscriptions = fake.subscriptions(organisation);
        assertThat(subscriptions).hasSize(2);
        FakeSubscription call = subscriptions.stream().filter(s -> s.kind() == DialpadEvent.Kind.CALL)
                .findFirst().orElseThrow();
        assertThat(Long.toString(call.id())).isEqualTo(callId);
        assertThat(Long.toString(call.webhookId())).isEqualTo(webhookId);
        assertThat(call.callStates()).containsExactly("ringing", "connected", "hangup", "voicemail");
        assertThat(call.enabled()).isTrue();
        assertThat(call.targetId()).isNull();
        FakeSubscription sms = subscriptions.stream().filter(s -> s.kind() == DialpadEvent.Kind.SMS)
                .findFirst().orElseThrow();
        assertThat(Long.toString(sms.id())).isEqualTo(smsId);
        assertThat(Long.toString(sms.webhookId())).isEqualTo(webhookId);
        assertThat(sms.direction()).isEqualTo("all");
        assertThat(sms.enabled()).isTrue();
    }

    @Test
    void createWhenDialpadSendsIdsAsStringsThenCreatedWithTheSameIds() {
        fake.idsAsStrings(true);

        String webhookId = created(client.createWebhook(token, HOOK, SECRET));
        created(client.createCallSubscription(token, webhookId, List.of("all")));

        assertThat(fake.subscriptions(organisation)).singleElement()
                .satisfies(s -> assertThat(Long.toString(s.webhookId())).isEqualTo(webhookId));
    }

    @Test
    void listWebhooksWhenOneExistsThenListedWithoutItsSecret() {
        String id = created(client.createWebhook(token, HOOK, SECRET));

        DialpadWebhookAdmin.Listing listing = client.listWebhooks(token);

        assertThat(listing).isEqualTo(new Listed(List.of(new RemoteWebhook(id, HOOK.toString(), true))));
        assertThat(listing.toString()).doesNotContain(SECRET_VALUE);
    }

    @Test
    void deleteWhenObjectsExistThenRemovedAndASecondDeleteIsNotFound() {
        String webhookId = created(client.createWebhook(token, HOOK, SECRET));
        String callId = created(client.createCallSubscription(token, webhookId, List.of("all")));
        String smsId = created(client.createSmsSubscription(token, webhookId));

        assertThat(client.deleteCallSubscription(token, callId)).isEqualTo(new Removed());
        assertThat(client.deleteSmsSubscription(token, smsId)).isEqualTo(new Removed());
        assertThat(client.deleteWebhook(token, webhookId)).isEqualTo(new Removed());

        assertThat(fake.webhooks(organisation)).isEmpty();
        assertThat(fake.subscriptions(organisation)).isEmpty();
        assertThat(client.deleteWebhook(token, webhookId)).isEqualTo(new NotFound());
    }

    @Test
    void updateWebhookSecretWhenWebhookExistsThenDialpadSignsWithTheNewSecretAndUnknownIsNotFound() {
        String webhookId = created(client.createWebhook(token, HOOK, SECRET));
        DialpadWebhookSecret next = new DialpadWebhookSecret("next-per-app-webhook-secret-0a1b2c3d");

        DialpadWebhookAdmin.Update update = client.updateWebhookSecret(token, webhookId, HOOK, next);

        assertThat(update).isEqualTo(new DialpadWebhookAdmin.Updated());
        assertThat(fake.lastRequest()).hasValueSatisfying(request -> {
            assertThat(request.method()).isEqualTo("PATCH");
            assertThat(request.header("X-Switchboard-Wire-Method")).isEmpty();
        });
        assertThat(fake.webhooks(organisation)).singleElement().satisfies(webhook -> {
            assertThat(webhook.signingSecret()).contains(next.value());
            assertThat(webhook.hookUrl()).isEqualTo(HOOK.toString());
        });
        assertThat(client.updateWebhookSecret(token, "999999", HOOK, next)).isEqualTo(new NotFound());
    }

    @Test
    void updateWebhookSecretWhenDialpadFailsThenUnavailableOrRefusedWithoutTheSecret() {
        String webhookId = created(client.createWebhook(token, HOOK, SECRET));
        DialpadWebhookSecret next = new DialpadWebhookSecret("next-per-app-webhook-secret-0a1b2c3d");
        fake.failNext(dev.switchboard.testkit.dialpad.DialpadEndpoint.WEBHOOKS, 1, 500, "{}");

        DialpadWebhookAdmin.Update failed = client.updateWebhookSecret(token, webhookId, HOOK, next);

        assertThat(failed).isInstanceOf(DialpadWebhookAdmin.Unavailable.class);
        assertThat(failed.toString()).doesNotContain(next.value());
        assertThat(fake.webhooks(organisation).get(0).signingSecret()).contains(SECRET_VALUE);
        fake.failNext(dev.switchboard.testkit.dialpad.DialpadEndpoint.WEBHOOKS, 1, 403, "{}");
        assertThat(client.updateWebhookSecret(token, webhookId, HOOK, next))
                .isInstanceOf(DialpadWebhookAdmin.Refused.class);
    }

    @Test
    void createSubscriptionWhenWebhookBelongsToNobodyThenRefused() {
        DialpadWebhookAdmin.Creation creation = client.createCallSubscription(token, "999999", List.of("all"));

        assertThat(creation).isInstanceOf(Refused.class);
        assertThat(((Refused) creation).status()).isEqualTo(400);
        assertThat(((Refused) creation).errorCode()).isEqualTo("bad_request");
    }

    @Test
    void createWebhookWhenTokenIsRevokedThenRefusedUnauthorized() {
        NimbusDialpadClient oauth = NimbusDialpadClient.create(DialpadClientSettings.of(
                DialpadEndpoints.of(fake.baseUrl()), CLIENT_ID, "unused-here", URI.create("http://localhost:4000/cb")));
        oauth.deauthorize(token);

        DialpadWebhookAdmin.Creation creation = client.createWebhook(token, HOOK, SECRET);

        assertThat(creation).isEqualTo(new Refused(401, "unauthorized",
                "Dialpad did not accept the app's access token for the webhook creation."));
        assertThat(client.listWebhooks(token)).isInstanceOf(Refused.class);
    }

    @Test
    void createWebhookWhenDialpadFailsOrAnswersWithoutIdThenUnavailable() {
        fake.failNext(DialpadEndpoint.WEBHOOKS, 1, 503, "{}");
        assertThat(client.createWebhook(token, HOOK, SECRET)).isInstanceOf(Unavailable.class);

        fake.failNext(DialpadEndpoint.WEBHOOKS, 1, 200, "{\"hook_url\":\"x\"}");
        assertThat(client.createWebhook(token, HOOK, SECRET))
                .isEqualTo(new Unavailable("Dialpad's answer to the webhook creation has no usable id"));

        fake.failNext(DialpadEndpoint.SMS_SUBSCRIPTIONS, 1, 429, "{}");
        assertThat(client.createSmsSubscription(token, "1")).isInstanceOf(Unavailable.class);
    }

    @Test
    void callsWhenArgumentsAreUnusableThenRejectedBeforeAnyRequest() {
        assertThatThrownBy(() -> client.createWebhook(token, URI.create("ftp://x/y"), SECRET))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.createCallSubscription(token, "1", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.deleteWebhook(token, "../oauth2/token"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.createWebhook(" ", HOOK, SECRET))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
