package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.app.config.ProcessingConfig;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.http.PushSettings;
import dev.switchboard.http.PushSocket;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.testkit.PushClient;
import dev.switchboard.testkit.PushClient.KeyPlacement;
import dev.switchboard.testkit.TestDatabase;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /ws} end to end: two real instances A and B on one database, a real WebSocket client, events published
 * through an instance's {@link dev.switchboard.core.push.PushPublisher}.
 */
class SwitchboardPushTest {
    private static final ApiKeys KEYS = ApiKeys.create(new SecureRandom());

    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiAppStore apps;
    private static JdbiApiKeyStore apiKeys;
    private static Switchboard instanceA;
    private static Switchboard instanceB;

    @BeforeAll
    static void start() throws Exception {
        testDatabase = TestDatabase.create();
        DatabaseConfig config = new DatabaseConfig.External(testDatabase.jdbcUrl(), Optional.empty(), Optional.empty(),
                4);
        PushSettings fast = PushSettings.DEFAULTS.withPingInterval(Duration.ofMillis(200))
                .withRecheckInterval(Duration.ofMillis(200));
        instanceA = Switchboard.start(TestConfigurations.sandbox(Files.createTempDirectory("sb-a"), config),
                ProcessingConfig.DEFAULTS, new SecureRandom(), Clock.systemUTC(), fast);
        instanceB = Switchboard.start(TestConfigurations.sandbox(Files.createTempDirectory("sb-b"), config),
                ProcessingConfig.DEFAULTS, new SecureRandom(), Clock.systemUTC(), fast);
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        apps = JdbiAppStore.create(database, Clock.systemUTC());
        apiKeys = JdbiApiKeyStore.create(database);
    }

    @AfterAll
    static void stop() {
        instanceA.close();
        instanceB.close();
        database.close();
        testDatabase.close();
    }

    @Test
    void connectWhenKeyInHeaderThenReceivesEachPublishedEventExactlyOnceInTheWireFormat() throws Exception {
        TestApp app = newApp();
        try (PushClient client = connect(instanceA, app.id(), app.key(), KeyPlacement.HEADER)) {
            PushEvent event = new PushEvent(UUID.randomUUID(), app.id(), PushEventType.CALL_RING,
                    Instant.parse("2026-02-01T09:30:00.250Z"), Optional.of("crm-42"),
                    Map.of("call_id", "c-1", "duration", 12L, "internal", false));
            PushEvent sentinel = event(app.id(), PushEventType.CALL_ENDED);

            instanceA.pushPublisher().publish(event);
            instanceA.pushPublisher().publish(sentinel);

            List<Map<String, Object>> received = client.until(sentinel);
            assertThat(received).extracting(m -> m.get("event_id"))
                    .containsExactly(event.id().toString(), sentinel.id().toString());
            assertThat(received.get(0)).containsExactly(
                    Map.entry("type", "call.ring"),
                    Map.entry("event_id", event.id().toString()),
                    Map.entry("occurred_at", "2026-02-01T09:30:00.250Z"),
                    Map.entry("app_id", app.id().toString()),
                    Map.entry("target_crm_user", "crm-42"),
                    Map.entry("data", Map.of("call_id", "c-1", "duration", 12L, "internal", false)));
            assertThat(received.get(1)).doesNotContainKey("target_crm_user").containsEntry("type", "call.ended");
        }
    }

    @Test
    void connectWhenKeyInBearerHeaderThenReceivesEvents() throws Exception {
        TestApp app = newApp();
        try (PushClient client = connect(instanceB, app.id(), app.key(), KeyPlacement.BEARER)) {
            PushEvent event = event(app.id(), PushEventType.MESSAGE_RECEIVED);

            instanceB.pushPublisher().publish(event);

            assertThat(client.until(event)).hasSize(1);
        }
    }

    @Test
    void connectWhenKeyInQueryThenReceivesEventsAndTheKeyIsNeverLogged() throws Exception {
        TestApp app = newApp();
        List<String> lines;
        try (CapturedLog log = CapturedLog.start();
             PushClient client = connect(instanceA, app.id(), app.key(), KeyPlacement.QUERY)) {
            PushEvent event = event(app.id(), PushEventType.VOICEMAIL_RECEIVED);

            instanceB.pushPublisher().publish(event);

            assertThat(client.until(event)).hasSize(1);
            lines = log.texts();
        }
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            assertThat(line).doesNotContain(app.key()).doesNotContain(app.key().substring(4, 20));
        }
    }

    @Test
    void connectWhenKeyIsMissingOrWrongThen401BeforeAnyUpgrade() throws Exception {
        TestApp app = newApp();
        String wrong = KEYS.issue().plaintext();

        assertThat(refusedStatus(instanceA, null, KeyPlacement.HEADER)).isEqualTo(401);
        assertThat(refusedStatus(instanceA, wrong, KeyPlacement.HEADER)).isEqualTo(401);
        assertThat(refusedStatus(instanceA, wrong, KeyPlacement.QUERY)).isEqualTo(401);
        assertThat(refusedStatus(instanceA, "raw_not-a-key", KeyPlacement.BEARER)).isEqualTo(401);
        assertThat(refusedStatus(instanceA, app.key().replace('a', 'b').replace('1', '2'), KeyPlacement.HEADER))
                .isEqualTo(401);
    }

    @Test
    void publishWhenSocketsOnTwoInstancesThenEachGetsEveryEventExactlyOnceWhereverItWasPublished() throws Exception {
        TestApp app = newApp();
        try (PushClient onA = connect(instanceA, app.id(), app.key(), KeyPlacement.HEADER);
             PushClient onB = connect(instanceB, app.id(), app.key(), KeyPlacement.HEADER)) {
            PushEvent fromA = event(app.id(), PushEventType.CALL_STARTED);
            PushEvent fromB = event(app.id(), PushEventType.CALL_RECORDING);
            PushEvent sentinel = event(app.id(), PushEventType.CALL_ENDED);

            instanceA.pushPublisher().publish(fromA);
            instanceB.pushPublisher().publish(fromB);
            instanceA.pushPublisher().publish(sentinel);

            for (PushClient client : List.of(onA, onB)) {
                assertThat(client.until(sentinel)).extracting(m -> m.get("event_id"))
                        .containsExactly(fromA.id().toString(), fromB.id().toString(), sentinel.id().toString());
            }
            assertThat(instanceA.openPushSockets()).isPositive();
            assertThat(instanceB.openPushSockets()).isPositive();
        }
    }

    @Test
    void publishWhenSameEventIsPublishedTwiceThenEachSocketGetsItOnce() throws Exception {
        TestApp app = newApp();
        try (PushClient client = connect(instanceB, app.id(), app.key(), KeyPlacement.HEADER)) {
            PushEvent event = event(app.id(), PushEventType.CALL_RING);
            PushEvent sentinel = event(app.id(), PushEventType.CALL_ENDED);

            instanceA.pushPublisher().publish(event);
            instanceB.pushPublisher().publish(event);
            instanceA.pushPublisher().publish(sentinel);

            assertThat(client.until(sentinel)).extracting(m -> m.get("event_id"))
                    .containsExactly(event.id().toString(), sentinel.id().toString());
        }
    }

    @Test
    void publishWhenEventBelongsToAnotherAppThenItsSocketGetsNothingOfIt() throws Exception {
        TestApp appA = newApp();
        TestApp appB = newApp();
        try (PushClient socketOfB = connect(instanceB, appB.id(), appB.key(), KeyPlacement.HEADER);
             PushClient socketOfA = connect(instanceB, appA.id(), appA.key(), KeyPlacement.HEADER)) {
            PushEvent forA = event(appA.id(), PushEventType.CALL_RING);
            PushEvent forB = event(appB.id(), PushEventType.CALL_RING);

            instanceA.pushPublisher().publish(forA);
            instanceA.pushPublisher().publish(forB);

            assertThat(socketOfA.until(forA)).hasSize(1);
            assertThat(socketOfB.until(forB)).extracting(m -> m.get("event_id"))
                    .containsExactly(forB.id().toString());
        }
    }

    @Test
    void revokeWhenSocketIsOpenThenItIsClosedWithPolicyViolation() throws Exception {
        TestApp app = newApp();
        try (PushClient onA = connect(instanceA, app.id(), app.key(), KeyPlacement.HEADER);
             PushClient onB = connect(instanceB, app.id(), app.key(), KeyPlacement.QUERY)) {
            apiKeys.revoke(app.id(), "test", Instant.now());

            assertThat(onA.closeCode()).isEqualTo(PushSocket.POLICY_VIOLATION);
            assertThat(onB.closeCode()).isEqualTo(PushSocket.POLICY_VIOLATION);
        }
        assertThat(refusedStatus(instanceA, app.key(), KeyPlacement.HEADER)).isEqualTo(401);
    }

    @Test
    void rotateWhenSocketIsOpenThenTheOldKeysSocketIsClosedAndTheNewKeyConnects() throws Exception {
        TestApp app = newApp();
        try (PushClient old = connect(instanceB, app.id(), app.key(), KeyPlacement.HEADER)) {
            IssuedApiKey rotated = KEYS.issue();
            apiKeys.createOrRotate(app.id(), rotated.stored(), "test", Instant.now());

            assertThat(old.closeCode()).isEqualTo(PushSocket.POLICY_VIOLATION);
            try (PushClient fresh = connect(instanceB, app.id(), rotated.plaintext(), KeyPlacement.HEADER)) {
                PushEvent event = event(app.id(), PushEventType.CALL_RING);
                instanceA.pushPublisher().publish(event);
                assertThat(fresh.until(event)).hasSize(1);
            }
        }
    }

    @Test
    void connectWhenOpenThenServerSendsPingFrames() throws Exception {
        TestApp app = newApp();
        try (PushClient client = connect(instanceA, app.id(), app.key(), KeyPlacement.HEADER)) {
            assertThat(client.pinged()).isTrue();
            assertThat(client.pinged()).isTrue();
        }
    }

    private static TestApp newApp() {
        UUID id = apps.create("push test " + UUID.randomUUID()).id();
        IssuedApiKey key = KEYS.issue();
        apiKeys.createOrRotate(id, key.stored(), "test", Instant.now());
        return new TestApp(id, key.plaintext());
    }

    private static PushEvent event(UUID appId, PushEventType type) {
        return new PushEvent(UUID.randomUUID(), appId, type, Instant.now(), Optional.empty(), Map.of("n", 1L));
    }

    private static int refusedStatus(Switchboard instance, String key, KeyPlacement placement) throws Exception {
        return PushClient.handshakeStatus(instance.port(), key, placement);
    }

    private static PushClient connect(Switchboard instance, UUID appId, String key, KeyPlacement placement)
            throws Exception {
        return PushClient.connect(instance.port(), key, placement, () -> instance.openPushSockets(appId));
    }

    private record TestApp(UUID id, String key) {
        @Override
        public String toString() {
            return "TestApp[" + id + "]";
        }
    }
}
