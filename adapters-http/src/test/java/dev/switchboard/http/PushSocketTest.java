package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.apikey.ApiKeyCheck;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.core.push.PushFeed;
import dev.switchboard.testkit.PushClient;
import dev.switchboard.testkit.PushClient.KeyPlacement;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link PushSocket} on a real server with a real WebSocket client, fed by an in-memory feed and key check. */
class PushSocketTest {
    private static final long WAIT_SECONDS = 15;
    private static final String INACTIVE_KEY = "key-of-an-inactive-app";
    private static final String BROKEN_STORE_KEY = "key-while-the-database-is-down";

    private static final InMemoryFeed FEED = new InMemoryFeed();
    private static final Map<String, UUID> VALID_KEYS = new ConcurrentHashMap<>();
    private static PushSocket push;
    private static HttpServer server;

    @BeforeAll
    static void start() {
        AppKeyCheck keys = presented -> {
            if (presented == null || presented.isBlank()) {
                return new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.MISSING);
            }
            if (presented.equals(INACTIVE_KEY)) {
                return new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.APP_INACTIVE);
            }
            if (presented.equals(BROKEN_STORE_KEY)) {
                throw new StoreUnavailableException("could not find a key (SQLTransientConnectionException)", null);
            }
            UUID app = VALID_KEYS.get(presented);
            return app == null ? new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.UNKNOWN)
                    : new ApiKeyCheck.Authenticated(app, "hint");
        };
        push = PushSocket.create(keys, FEED, new PushSettings(Duration.ofSeconds(30), Duration.ofMillis(100), 8, 64));
        server = HttpServer.start(HttpSettings.of("127.0.0.1", 0), List.of(push));
    }

    @AfterAll
    static void stop() {
        push.close();
        server.close();
    }

    @Test
    void upgradeWhenKeyIsMissingUnknownInactiveOrUncheckableThenHttpErrorAndNoSocket() throws Exception {
        int before = push.openSockets();

        assertThat(refusedStatus(null)).isEqualTo(401);
        assertThat(refusedStatus("raw_unknown")).isEqualTo(401);
        assertThat(refusedStatus(INACTIVE_KEY)).isEqualTo(403);
        assertThat(refusedStatus(BROKEN_STORE_KEY)).isEqualTo(503);
        TestHttp.RawResponse refused = TestHttp.raw(server.port(), "GET", PushSocket.PATH, Map.of("Host", "localhost",
                "Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==",
                "Sec-WebSocket-Version", "13"));
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.header("Content-Type")).startsWith("application/json");
        assertThat(refused.body()).startsWith("{\"error\":\"missing_api_key\",\"message\":");
        assertThat(refused.header("X-Request-Id")).isNotBlank();
        assertThat(refused.header("Set-Cookie")).as("no servlet session is opened").isNull();
        // sockets of earlier tests may still be closing in the background, never opening
        assertThat(push.openSockets()).isLessThanOrEqualTo(before);
    }

    @Test
    void deliverWhenTheFeedRepeatsAnEventThenTheSocketGetsItOnce() throws Exception {
        UUID app = UUID.randomUUID();
        String key = newKey(app);
        try (PushClient client = connect(key, app)) {
            PushEvent event = event(app, "x");
            PushEvent sentinel = event(app, "y");

            FEED.emit(event);
            FEED.emit(event);
            FEED.emit(sentinel);

            assertThat(client.next()).contains(event.id().toString());
            assertThat(client.next()).contains(sentinel.id().toString());
        }
    }

    @Test
    void deliverWhenOneClientStopsReadingThenItIsClosedAndTheOthersGetEverything() throws Exception {
        UUID app = UUID.randomUUID();
        String key = newKey(app);
        long overflowedBefore = push.overflowClosedSockets();
        String bulk = "z".repeat(256 * 1024);
        int events = 120;
        try (PushClient slow = PushClient.connectWithoutReading(server.port(), key, () -> push.openSockets(app));
             PushClient fast = connect(key, app)) {
            // paced by the reading client, which keeps up; the other one's queue fills behind its full TCP buffers
            for (int i = 0; i < events; i++) {
                FEED.emit(event(app, bulk));
                assertThat(fast.next()).as("message %d of the reading client", i).isNotNull();
            }
            assertThat(eventually(() -> push.overflowClosedSockets() > overflowedBefore)).isTrue();
        }
    }

    @Test
    void recheckWhenKeyIsNoLongerValidThenSocketClosesWithPolicyViolation() throws Exception {
        UUID app = UUID.randomUUID();
        String key = newKey(app);
        try (PushClient client = connect(key, app)) {
            VALID_KEYS.remove(key);

            assertThat(client.closeCode()).isEqualTo(PushSocket.POLICY_VIOLATION);
        }
    }

    @Test
    void upgradeWhenTheAppHasItsMaximumOfSocketsOpenThen429JsonUntilOneCloses() throws Exception {
        PushSettings two = new PushSettings(Duration.ofSeconds(30), Duration.ofSeconds(30), 8, 64)
                .withMaxSocketsPerApp(2);
        try (PushSocket capped = PushSocket.create(presented -> new ApiKeyCheck.Authenticated(
                UUID.nameUUIDFromBytes(presented.getBytes(StandardCharsets.UTF_8)), "hint"), FEED, two);
             HttpServer cappedServer = HttpServer.start(HttpSettings.of("127.0.0.1", 0), List.of(capped))) {
            int port = cappedServer.port();
            UUID app = UUID.nameUUIDFromBytes("app-key".getBytes(StandardCharsets.UTF_8));
            PushClient first = PushClient.connect(port, "app-key", KeyPlacement.HEADER, () -> capped.openSockets(app));
            try (PushClient second = PushClient.connect(port, "app-key", KeyPlacement.HEADER,
                    () -> capped.openSockets(app))) {
                TestHttp.RawResponse refused = TestHttp.raw(port, "GET", PushSocket.PATH + "?api_key=app-key",
                        Map.of("Host", "localhost", "Connection", "Upgrade", "Upgrade", "websocket",
                                "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13"));

                assertThat(refused.status()).isEqualTo(429);
                assertThat(refused.header("Content-Type")).startsWith("application/json");
                assertThat(refused.body()).startsWith("{\"error\":\"too_many_requests\",\"message\":");
                assertThat(refused.header("Retry-After")).isNotBlank();
                assertThat(capped.openSockets(app)).isEqualTo(2);
                assertThat(PushClient.handshakeStatus(port, "other-app-key", KeyPlacement.HEADER))
                        .as("another app has its own cap").isEqualTo(101);

                first.close();
                assertThat(eventually(() -> capped.openSockets(app) == 1)).isTrue();
                assertThat(PushClient.handshakeStatus(port, "app-key", KeyPlacement.HEADER)).isEqualTo(101);
            } finally {
                first.close();
            }
        }
    }

    @Test
    void socketsWhenOpenThenTheyCountAgainstTheirClientsConnectionLimit() throws Exception {
        UUID app = UUID.randomUUID();
        try (PushSocket sockets = PushSocket.create(presented -> new ApiKeyCheck.Authenticated(app, "hint"), FEED,
                PushSettings.DEFAULTS);
             HttpServer limited = HttpServer.start(HttpSettings.of("127.0.0.1", 0).withMaxConnectionsPerClient(2),
                     List.of(sockets));
             PushClient first = PushClient.connect(limited.port(), "key", KeyPlacement.HEADER,
                     () -> sockets.openSockets(app));
             PushClient second = PushClient.connect(limited.port(), "key", KeyPlacement.HEADER,
                     () -> sockets.openSockets(app))) {
            TestHttp.RawResponse refused = TestHttp.raw(limited.port(), "GET", "/health", Map.of("Host", "localhost"));

            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.body()).startsWith("{\"error\":\"too_many_requests\",\"message\":");
        }
    }

    @Test
    void wireMessageWhenNoUserMappingThenOmitsTargetCrmUser() {
        UUID id = UUID.fromString("7d0f5c1e-3d2a-4c55-9b1e-2f8f6a0f4e11");
        UUID app = UUID.fromString("0b8e3a52-6c1d-4f0e-8a9b-5d4c3b2a1f00");
        PushEvent without = new PushEvent(id, app, PushEventType.CALL_ENDED, Instant.parse("2026-01-02T03:04:05Z"),
                Optional.empty(), Map.of("call_id", "c1"));
        PushEvent with = new PushEvent(id, app, PushEventType.CALL_RING, Instant.parse("2026-01-02T03:04:05Z"),
                Optional.of("u-9"), Map.of());

        assertThat(PushSocket.wireMessage(without)).isEqualTo("{\"type\":\"call.ended\",\"event_id\":\"" + id
                + "\",\"occurred_at\":\"2026-01-02T03:04:05Z\",\"app_id\":\"" + app + "\",\"data\":{\"call_id\":\"c1\"}}");
        assertThat(PushSocket.wireMessage(with)).isEqualTo("{\"type\":\"call.ring\",\"event_id\":\"" + id
                + "\",\"occurred_at\":\"2026-01-02T03:04:05Z\",\"app_id\":\"" + app
                + "\",\"target_crm_user\":\"u-9\",\"data\":{}}");
    }

    private static String newKey(UUID app) {
        String key = "key-" + UUID.randomUUID();
        VALID_KEYS.put(key, app);
        return key;
    }

    private static PushEvent event(UUID app, String text) {
        return new PushEvent(UUID.randomUUID(), app, PushEventType.CALL_RING, Instant.now(), Optional.empty(),
                Map.of("text", text));
    }

    private static int refusedStatus(String key) throws Exception {
        return PushClient.handshakeStatus(server.port(), key, KeyPlacement.HEADER);
    }

    /** A reading client of {@code app}, once the server has registered its socket. */
    private static PushClient connect(String key, UUID app) throws Exception {
        return PushClient.connect(server.port(), key, KeyPlacement.HEADER, () -> push.openSockets(app));
    }

    /** Polls {@code condition} until it holds or the wait bound passes. */
    private static boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return condition.getAsBoolean();
    }

    /** A feed whose events are emitted by the test, on the test's thread, as the listener thread would. */
    private static final class InMemoryFeed implements PushFeed {
        private final List<Consumer<PushEvent>> subscribers = new CopyOnWriteArrayList<>();

        @Override
        public Subscription subscribe(Consumer<PushEvent> subscriber) {
            subscribers.add(subscriber);
            return () -> subscribers.remove(subscriber);
        }

        void emit(PushEvent event) {
            subscribers.forEach(s -> s.accept(event));
        }
    }
}
