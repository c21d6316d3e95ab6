package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.app.config.ProcessingConfig;
import dev.switchboard.app.config.SecretSetting;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.users.UserMappingRequest;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiConnectionStore;
import dev.switchboard.persistence.JdbiDialpadWebhookStore;
import dev.switchboard.persistence.JdbiUserMappingStore;
import dev.switchboard.testkit.PushClient;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.DialpadEvent;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.testkit.dialpad.WebhookSender;
import java.net.URI;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * From webhook to socket, end to end: a signed Dialpad call webhook posted to instance A becomes {@code call.ring},
 * {@code call.started} and {@code call.ended} on every WebSocket of the app, exactly once each, whether the socket is
 * on A or on instance B. Both instances run their event workers against one database, as in production, so either
 * may process the event.
 */
class WebhookToSocketTest {
    private static final String SHARED_SECRET = "shared-webhook-secret-for-socket-tests";
    private static final String APP_SECRET = "app-webhook-secret-for-socket-tests";
    private static final ApiKeys KEYS = ApiKeys.create(new SecureRandom());
    private static final AtomicLong CALL_IDS = new AtomicLong(8_100_000_000L);
    private static final AtomicLong ORGANISATIONS = new AtomicLong(5_800_000_000_000_001L);
    /**
     * Dialpad call states in the order Dialpad sends them. The tests post them back to back, without waiting for
     * pushes in between, so the workers of the two instances may well apply them in another order (connected before
     * ringing, say); each push must still come exactly once.
     */
    private static final List<String> LIFECYCLE = List.of("ringing", "connected", "hangup");

    private static TestDatabase testDatabase;
    private static Database database;
    private static Switchboard instanceA;
    private static Switchboard instanceB;
    private static JdbiAppStore apps;
    private static JdbiApiKeyStore apiKeys;
    private static JdbiDialpadWebhookStore webhooks;
    private static JdbiConnectionStore connections;
    private static JdbiUserMappingStore users;
    private static WebhookSender sender;

    @BeforeAll
    static void start() throws Exception {
        testDatabase = TestDatabase.create();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String encryptionKey = Base64.getEncoder().encodeToString(key);
        // both instances must open what the other sealed, so they share provided secrets instead of generating them
        Secrets secrets = new Secrets(SecretSetting.provided("internal-api-secret-0123456789abcdef"),
                SecretSetting.provided("session-secret-0123456789abcdef-0123"),
                SecretSetting.provided(encryptionKey), SecretSetting.provided(SHARED_SECRET));
        DatabaseConfig external = new DatabaseConfig.External(testDatabase.jdbcUrl(), Optional.empty(),
                Optional.empty(), 4);
        instanceA = Switchboard.start(TestConfigurations.sandbox(Files.createTempDirectory("sb-ws-a"), external,
                secrets), ProcessingConfig.DEFAULTS, new SecureRandom());
        instanceB = Switchboard.start(TestConfigurations.sandbox(Files.createTempDirectory("sb-ws-b"), external,
                secrets), ProcessingConfig.DEFAULTS, new SecureRandom());
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        Clock clock = Clock.systemUTC();
        SecretCipher cipher = SecretCipher.fromBase64Key(encryptionKey, new SecureRandom());
        apps = JdbiAppStore.create(database, clock);
        apiKeys = JdbiApiKeyStore.create(database);
        webhooks = JdbiDialpadWebhookStore.create(database, cipher, clock);
        connections = JdbiConnectionStore.create(database, cipher);
        users = JdbiUserMappingStore.create(database, clock);
        sender = WebhookSender.create();
    }

    @AfterAll
    static void stop() {
        instanceA.close();
        instanceB.close();
        database.close();
        testDatabase.close();
    }

    @Test
    void webhookWhenPostedToAThenSocketsOnAAndBGetRingStartedAndEndedOnceEachWithTheMappedCrmUser()
            throws Exception {
        TestApp app = newApp();
        webhooks.save(new NewDialpadWebhook(app.id(), "wh-" + app.id(),
                "http://localhost/webhooks/dialpad/" + app.id(), new DialpadWebhookSecret(APP_SECRET), List.of()));
        users.map(app.id(), new UserMappingRequest(Long.toString(DialpadEvents.DEFAULT_TARGET_ID), "crm-user-7"));
        List<URI> hooks = List.of(uri(instanceA, "/webhooks/dialpad/" + app.id()),
                uri(instanceB, "/webhooks/dialpad/" + app.id()));
        long callId = CALL_IDS.incrementAndGet();

        try (PushClient onB = socket(instanceB, app); PushClient onA = socket(instanceA, app)) {
            // back to back, to A and B in turn: either instance's workers may take any of the states first
            for (int i = 0; i < LIFECYCLE.size(); i++) {
                assertThat(sender.sendJwt(hooks.get(i % 2), APP_SECRET,
                        DialpadEvents.call(callId, LIFECYCLE.get(i)).build()).status()).isEqualTo(200);
            }
            awaitLifecycle(List.of(onB, onA), callId);
            long sentinel = CALL_IDS.incrementAndGet();
            assertThat(sender.sendJwt(hooks.get(0), APP_SECRET, DialpadEvents.call(sentinel, "ringing").build())
                    .status()).isEqualTo(200);

            for (PushClient client : List.of(onB, onA)) {
                client.until(ofCall(sentinel, "call.ring"));
                List<Map<String, Object>> ofTheCall = client.taken().stream()
                        .filter(m -> callIdOf(m).equals(Long.toString(callId))).toList();
                assertThat(ofTheCall).extracting(m -> m.get("type"))
                        .containsExactlyInAnyOrder("call.ring", "call.started", "call.ended");
                assertThat(ofTheCall).allSatisfy(m -> assertThat(m)
                        .containsEntry("app_id", app.id().toString())
                        .containsEntry("target_crm_user", "crm-user-7"));
                assertThat(ofTheCall).extracting(m -> m.get("event_id")).doesNotHaveDuplicates();
                assertThat(client.taken()).allSatisfy(m -> assertThat(m)
                        .containsEntry("app_id", app.id().toString()));
            }
        }
    }

    @Test
    void webhookWhenPostedToTheSharedPathOfAThenTheConnectedAppsSocketOnBGetsEachEventOnceWithoutACrmUser()
            throws Exception {
        TestApp app = newApp();
        TestApp other = newApp();
        String organisation = Long.toString(ORGANISATIONS.incrementAndGet());
        Instant now = Instant.now();
        connections.save(new Connection(app.id(), organisation, "access-token", "refresh-token",
                now.plusSeconds(3600), DialpadEnvironment.SANDBOX, now, now,
                RefreshHealth.initial(now.plusSeconds(1800))));
        URI hook = uri(instanceA, "/webhooks/dialpad");
        long callId = CALL_IDS.incrementAndGet();

        try (PushClient onB = socket(instanceB, app);
             PushClient otherOnB = socket(instanceB, other)) {
            for (String state : LIFECYCLE) {
                DialpadEvent event = DialpadEvents.call(callId, state).put("company_id", organisation).build();
                assertThat(sender.sendJwt(hook, SHARED_SECRET, event).status()).isEqualTo(200);
            }
            awaitLifecycle(List.of(onB), callId);
            long sentinel = CALL_IDS.incrementAndGet();
            assertThat(sender.sendJwt(hook, SHARED_SECRET,
                    DialpadEvents.call(sentinel, "ringing").put("company_id", organisation).build()).status())
                    .isEqualTo(200);
            onB.until(ofCall(sentinel, "call.ring"));
            connections.save(new Connection(other.id(), organisation + "0", "access-token", "refresh-token",
                    now.plusSeconds(3600), DialpadEnvironment.SANDBOX, now, now,
                    RefreshHealth.initial(now.plusSeconds(1800))));
            long otherCall = CALL_IDS.incrementAndGet();
            assertThat(sender.sendJwt(hook, SHARED_SECRET,
                    DialpadEvents.call(otherCall, "ringing").put("company_id", organisation + "0").build())
                    .status()).isEqualTo(200);
            otherOnB.until(ofCall(otherCall, "call.ring"));

            List<Map<String, Object>> ofTheCall = onB.taken().stream()
                    .filter(m -> callIdOf(m).equals(Long.toString(callId))).toList();
            assertThat(ofTheCall).extracting(m -> m.get("type"))
                    .containsExactlyInAnyOrder("call.ring", "call.started", "call.ended");
            assertThat(ofTheCall).allSatisfy(m -> assertThat(m)
                    .containsEntry("app_id", app.id().toString())
                    .doesNotContainKey("target_crm_user"));
            assertThat(otherOnB.taken()).extracting(WebhookToSocketTest::callIdOf)
                    .containsOnly(Long.toString(otherCall));
        }
    }

    /** Waits until every client has received the ring, the start and the end of the call, in whatever order. */
    private static void awaitLifecycle(List<PushClient> clients, long callId) throws InterruptedException {
        for (PushClient client : clients) {
            for (String type : List.of("call.ring", "call.started", "call.ended")) {
                client.until(ofCall(callId, type));
            }
        }
    }

    private static Predicate<Map<String, Object>> ofCall(long callId, String type) {
        return m -> type.equals(m.get("type")) && callIdOf(m).equals(Long.toString(callId));
    }

    private static String callIdOf(Map<String, Object> message) {
        return message.get("data") instanceof Map<?, ?> data ? String.valueOf(data.get("dialpad_call_id")) : "";
    }

    private static URI uri(Switchboard instance, String path) {
        return URI.create("http://127.0.0.1:" + instance.port() + path);
    }

    private static TestApp newApp() {
        UUID id = apps.create("webhook to socket " + UUID.randomUUID()).id();
        IssuedApiKey key = KEYS.issue();
        apiKeys.createOrRotate(id, key.stored(), "test", Instant.now());
        return new TestApp(id, key.plaintext());
    }

    private record TestApp(UUID id, String key) {
        @Override
        public String toString() {
            return "TestApp[" + id + "]";
        }
    }

    /** A socket of {@code app} on {@code instance}, returned once the instance has registered it. */
    private static PushClient socket(Switchboard instance, TestApp app) throws Exception {
        return PushClient.connect(instance.port(), app.key(), PushClient.KeyPlacement.HEADER,
                () -> instance.openPushSockets(app.id()));
    }
}
