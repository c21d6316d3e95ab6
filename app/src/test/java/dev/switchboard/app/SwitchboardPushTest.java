package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.core.config.DatabaseConfig;
import dev.switchboard.core.config.ProcessingConfig;
import dev.switchboard.core.json.Json;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.http.PushSettings;
import dev.switchboard.http.PushSocket;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code /ws} end to end: two real instances A and B on one database, a real WebSocket client, events published
 * through an instance's {@link dev.switchboard.core.push.PushPublisher}.
 */
class SwitchboardPushTest {
    /** Generous bound on waiting for something that should happen, so a failure ends the test instead of hanging it. */
    private static final long WAIT_SECONDS = 15;
    private static final ApiKeys KEYS = ApiKeys.create(new SecureRandom());

    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiAppStore apps;
    private static JdbiApiKeyStore apiKeys;
    private static Switchboard instanceA;
    private static Switchboard instanceB;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

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
        try (Client client = Client.connect(instanceA, app.key(), KeyPlacement.HEADER)) {
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
        try (Client client = Client.connect(instanceB, app.key(), KeyPlacement.BEARER)) {
            PushEvent event = event(app.id(), PushEventType.MESSAGE_RECEIVED);

            instanceB.pushPublisher().publish(event);

            assertThat(client.until(event)).hasSize(1);
        }
    }

    @Test
    void connectWhenKeyInQueryThenReceivesEventsAndTheKeyIsNeverLogged() throws Exception {
        TestApp app = newApp();
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = logging.getLogger(Logger.ROOT_LOGGER_NAME);
        Level rootLevel = root.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        root.addAppender(captured);
        root.setLevel(Level.DEBUG);
        try (Client client = Client.connect(instanceA, app.key(), KeyPlacement.QUERY)) {
            PushEvent event = event(app.id(), PushEventType.VOICEMAIL_RECEIVED);

            instanceB.pushPublisher().publish(event);

            assertThat(client.until(event)).hasSize(1);
        } finally {
            root.detachAppender(captured);
            root.setLevel(rootLevel);
        }
        assertThat(captured.list).isNotEmpty();
        for (ILoggingEvent line : captured.list) {
            String text = line.getFormattedMessage() + (line.getThrowableProxy() == null ? ""
                    : ThrowableProxyUtil.asString(line.getThrowableProxy()));
            assertThat(text).doesNotContain(app.key()).doesNotContain(app.key().substring(4, 20));
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
        try (Client onA = Client.connect(instanceA, app.key(), KeyPlacement.HEADER);
             Client onB = Client.connect(instanceB, app.key(), KeyPlacement.HEADER)) {
            PushEvent fromA = event(app.id(), PushEventType.CALL_STARTED);
            PushEvent fromB = event(app.id(), PushEventType.CALL_RECORDING);
            PushEvent sentinel = event(app.id(), PushEventType.CALL_ENDED);

            instanceA.pushPublisher().publish(fromA);
            instanceB.pushPublisher().publish(fromB);
            instanceA.pushPublisher().publish(sentinel);

            for (Client client : List.of(onA, onB)) {
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
        try (Client client = Client.connect(instanceB, app.key(), KeyPlacement.HEADER)) {
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
        try (Client socketOfB = Client.connect(instanceB, appB.key(), KeyPlacement.HEADER);
             Client socketOfA = Client.connect(instanceB, appA.key(), KeyPlacement.HEADER)) {
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
        try (Client onA = Client.connect(instanceA, app.key(), KeyPlacement.HEADER);
             Client onB = Client.connect(instanceB, app.key(), KeyPlacement.QUERY)) {
            apiKeys.revoke(app.id(), "test", Instant.now());

            assertThat(onA.closeCode()).isEqualTo(PushSocket.POLICY_VIOLATION);
            assertThat(onB.closeCode()).isEqualTo(PushSocket.POLICY_VIOLATION);
        }
        assertThat(refusedStatus(instanceA, app.key(), KeyPlacement.HEADER)).isEqualTo(401);
    }

    @Test
    void rotateWhenSocketIsOpenThenTheOldKeysSocketIsClosedAndTheNewKeyConnects() throws Exception {
        TestApp app = newApp();
        try (Client old = Client.connect(instanceB, app.key(), KeyPlacement.HEADER)) {
            IssuedApiKey rotated = KEYS.issue();
            apiKeys.createOrRotate(app.id(), rotated.stored(), "test", Instant.now());

            assertThat(old.closeCode()).isEqualTo(PushSocket.POLICY_VIOLATION);
            try (Client fresh = Client.connect(instanceB, rotated.plaintext(), KeyPlacement.HEADER)) {
                PushEvent event = event(app.id(), PushEventType.CALL_RING);
                instanceA.pushPublisher().publish(event);
                assertThat(fresh.until(event)).hasSize(1);
            }
        }
    }

    @Test
    void connectWhenOpenThenServerSendsPingFrames() throws Exception {
        TestApp app = newApp();
        try (Client client = Client.connect(instanceA, app.key(), KeyPlacement.HEADER)) {
            assertThat(client.pings.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isNotNull();
            assertThat(client.pings.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isNotNull();
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
        try {
            Client.connect(instance, key, placement).close();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                return handshake.getResponse().statusCode();
            }
            throw e;
        }
        return 101;
    }

    private record TestApp(UUID id, String key) {
        @Override
        public String toString() {
            return "TestApp[" + id + "]";
        }
    }

    private enum KeyPlacement { HEADER, BEARER, QUERY }

    /** A WebSocket client that collects what the server sends. */
    private static final class Client implements WebSocket.Listener, AutoCloseable {
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final BlockingQueue<Instant> pings = new LinkedBlockingQueue<>();
        private final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Client connect(Switchboard instance, String key, KeyPlacement placement) throws Exception {
            Client client = new Client();
            String query = placement == KeyPlacement.QUERY && key != null ? "?api_key=" + key : "";
            WebSocket.Builder builder = HTTP.newWebSocketBuilder();
            if (key != null && placement == KeyPlacement.HEADER) {
                builder.header("x-app-api-key", key);
            } else if (key != null && placement == KeyPlacement.BEARER) {
                builder.header("Authorization", "Bearer " + key);
            }
            client.socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + instance.port() + "/ws" + query),
                    client).get(WAIT_SECONDS, TimeUnit.SECONDS);
            return client;
        }

        /** Every message up to and including the one for {@code last}, parsed. */
        List<Map<String, Object>> until(PushEvent last) throws InterruptedException {
            List<Map<String, Object>> seen = new ArrayList<>();
            while (true) {
                String next = messages.poll(WAIT_SECONDS, TimeUnit.SECONDS);
                assertThat(next).as("a message up to event " + last.id()).isNotNull();
                Map<String, Object> message = Json.parseObject(next);
                seen.add(message);
                if (last.id().toString().equals(message.get("event_id"))) {
                    return seen;
                }
            }
        }

        int closeCode() throws Exception {
            return closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            pings.add(Instant.now());
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
        }

        @Override
        public void close() {
            if (socket != null && !socket.isOutputClosed()) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
            }
            if (socket != null) {
                socket.abort();
            }
        }
    }
}
