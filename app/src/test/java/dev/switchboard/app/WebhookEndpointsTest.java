package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallStatus;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.app.config.ProcessingConfig;
import dev.switchboard.app.config.SecretSetting;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiCallStore;
import dev.switchboard.persistence.JdbiConnectionStore;
import dev.switchboard.persistence.JdbiDialpadWebhookStore;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.Delivery;
import dev.switchboard.testkit.dialpad.DialpadEvent;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.testkit.dialpad.Hs256Jwt;
import dev.switchboard.testkit.dialpad.WebhookSender;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook endpoints over HTTP against the real server (no processing threads, so processing is driven by the
 * test) on a real PostgreSQL, with deliveries made the way Dialpad makes them by the testkit's sender.
 */
class WebhookEndpointsTest {
    private static final String SHARED_SECRET = "shared-webhook-secret-for-tests";
    private static final String APP_SECRET = "app-webhook-secret-for-tests";
    private static final String ORGANISATION = "5700000000000001";
    private static final AtomicLong CALL_IDS = new AtomicLong(7_000_000_000L);

    @TempDir
    static Path data;

    private static TestDatabase testDatabase;
    private static Database database;
    private static Switchboard switchboard;
    private static WebhookSender sender;
    private static UUID appId;
    private static JdbiCallStore calls;

    @BeforeAll
    static void start() {
        testDatabase = TestDatabase.create();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String encryptionKey = Base64.getEncoder().encodeToString(key);
        Secrets secrets = new Secrets(SecretSetting.provided("internal-api-secret-0123456789abcdef"),
                SecretSetting.provided("session-secret-0123456789abcdef-0123"),
                SecretSetting.provided(encryptionKey), SecretSetting.provided(SHARED_SECRET));
        DatabaseConfig external = new DatabaseConfig.External(testDatabase.jdbcUrl(), Optional.empty(),
                Optional.empty(), 4);
        switchboard = Switchboard.start(TestConfigurations.sandbox(data, external, secrets), new ProcessingConfig(0),
                new SecureRandom());
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 2));
        Clock clock = Clock.systemUTC();
        SecretCipher cipher = SecretCipher.fromBase64Key(encryptionKey, new SecureRandom());
        appId = JdbiAppStore.create(database, clock).create("webhook test app").id();
        JdbiDialpadWebhookStore.create(database, cipher, clock).save(new NewDialpadWebhook(appId, "wh-1",
                "http://localhost/webhooks/dialpad/" + appId, new DialpadWebhookSecret(APP_SECRET), List.of()));
        calls = JdbiCallStore.create(database, clock);
        sender = WebhookSender.create();
    }

    @AfterAll
    static void stop() {
        switchboard.close();
        database.close();
        testDatabase.close();
    }

    private static URI appUri() {
        return appUri(appId.toString());
    }

    private static URI appUri(String id) {
        return URI.create("http://127.0.0.1:" + switchboard.port() + "/webhooks/dialpad/" + id);
    }

    private static URI sharedUri() {
        return URI.create("http://127.0.0.1:" + switchboard.port() + "/webhooks/dialpad");
    }

    private static DialpadEvent ringing() {
        return DialpadEvents.call(CALL_IDS.incrementAndGet(), "ringing").build();
    }

    private static int eventRows(String dedupKey) throws Exception {
        try (var connection = testDatabase.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT count(*) FROM webhook_events WHERE dedup_key = ?")) {
            query.setString(1, dedupKey);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static String key(DialpadEvent event) {
        return "call:" + event.payload().get("call_id") + ":" + event.state() + ":"
                + event.payload().get("event_timestamp");
    }

    private static long totalEvents() throws Exception {
        try (var connection = testDatabase.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT count(*) FROM webhook_events")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static void processAll() {
        while (switchboard.eventProcessor().processBatch() > 0) {
            // claims until nothing is due
        }
    }

    @Test
    void receiveWhenSignedWithTheAppSecretThenStoredAndAnswered200() throws Exception {
        DialpadEvent event = ringing();

        Delivery delivery = sender.sendJwt(appUri(), APP_SECRET, event);

        assertThat(delivery.status()).isEqualTo(200);
        assertThat(delivery.body()).isEqualTo("{\"received\":true,\"duplicate\":false}");
        assertThat(eventRows(key(event))).isEqualTo(1);
    }

    @Test
    void receiveWhenRedeliveredThenStoredOnceAndSaysDuplicate() throws Exception {
        DialpadEvent event = ringing();

        Delivery first = sender.sendJwt(appUri(), APP_SECRET, event);
        Delivery second = sender.sendJwt(appUri(), APP_SECRET, event);

        assertThat(first.body()).contains("\"duplicate\":false");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body()).contains("\"duplicate\":true");
        assertThat(eventRows(key(event))).isEqualTo(1);
    }

    @Test
    void receiveWhenContentTypeIsJwtWithCharsetOrMissingThenAccepted() {
        String token = Hs256Jwt.sign(ringing().json(), APP_SECRET);
        byte[] body = token.getBytes(StandardCharsets.US_ASCII);

        assertThat(sender.send(appUri(), body, "application/jwt; charset=utf-8", Map.of()).status()).isEqualTo(200);
        assertThat(sender.send(appUri(), Hs256Jwt.sign(ringing().json(), APP_SECRET)
                .getBytes(StandardCharsets.US_ASCII), "text/plain", Map.of()).status()).isEqualTo(200);
    }

    @Test
    void receiveWhenSignatureIsMissingTamperedWrongOrAlgNoneThen401AndNothingStored() throws Exception {
        DialpadEvent event = ringing();
        String good = Hs256Jwt.sign(event.json(), APP_SECRET);
        String[] parts = good.split("\\.");
        String otherPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ringing().json().getBytes(StandardCharsets.UTF_8));
        long before = totalEvents();

        List<Delivery> deliveries = List.of(
                sender.sendUnsigned(appUri(), event),
                sender.sendJwt(appUri(), parts[0] + "." + parts[1] + "."),
                sender.sendJwt(appUri(), parts[0] + "." + otherPayload + "." + parts[2]),
                sender.sendJwt(appUri(), "wrong-secret", event),
                sender.sendJwt(appUri(), Hs256Jwt.unsecured(event.json())),
                sender.sendJwt(appUri(), Hs256Jwt.sign("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", event.json(),
                        APP_SECRET.getBytes(StandardCharsets.UTF_8))),
                sender.sendUnsigned(sharedUri(), event),
                sender.sendJwt(sharedUri(), APP_SECRET, event),
                sender.sendSignedJson(sharedUri(), event.jsonBytes(), "00".repeat(32)));

        assertThat(deliveries).allSatisfy(d -> {
            assertThat(d.status()).isEqualTo(401);
            assertThat(d.body()).contains("\"error\":\"invalid_signature\"");
        });
        assertThat(totalEvents()).isEqualTo(before);
        // audited per client, reason and minute: every rejection is in the rows written when the windows close
        switchboard.webhookRejectionAudit().flushAll();
        try (var connection = testDatabase.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT sum((details ->> 'count')::int) FROM audit_log WHERE "
                     + "event = 'webhook_rejected' AND client_ip IS NOT NULL AND details ? 'reason'")) {
            rows.next();
            assertThat(rows.getInt(1)).isGreaterThanOrEqualTo(deliveries.size());
        }
    }

    @Test
    void receiveWhenTokenIsMalformedThen400() {
        Delivery garbage = sender.sendJwt(appUri(), "not-a-token");
        Delivery badSegments = sender.sendJwt(sharedUri(), "a.b.c.d");

        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.body()).contains("invalid_payload");
        assertThat(badSegments.status()).isEqualTo(400);
    }

    @Test
    void receiveWhenTheTokenCarriesANumberBombThen400JsonErrorAndNothingStored() throws Exception {
        long before = totalEvents();
        Base64.Encoder base64url = Base64.getUrlEncoder().withoutPadding();
        // 780,000 digits in the header: the token still fits under the 1 MiB body limit
        String header = base64url.encodeToString(("{\"alg\":\"HS256\",\"n\":" + "9".repeat(780_000) + "}")
                .getBytes(StandardCharsets.US_ASCII));
        String unsigned = header + "." + base64url.encodeToString(ringing().jsonBytes()) + "." + "A".repeat(43);
        String signedExpBomb = Hs256Jwt.sign("{\"call_id\":1,\"state\":\"ringing\",\"exp\":1e9999999}", APP_SECRET);

        List<Delivery> deliveries = List.of(sender.sendJwt(sharedUri(), unsigned), sender.sendJwt(appUri(), unsigned),
                sender.sendJwt(appUri(), signedExpBomb));

        assertThat(deliveries).allSatisfy(d -> {
            assertThat(d.status()).isEqualTo(400);
            assertThat(d.body()).contains("\"error\":\"invalid_payload\"");
        });
        assertThat(totalEvents()).isEqualTo(before);
    }

    @Test
    void receiveWhenPayloadIsNoObjectThen400() {
        String token = Hs256Jwt.sign("[1,2,3]", APP_SECRET);

        assertThat(sender.sendJwt(appUri(), token).status()).isEqualTo(400);
    }

    @Test
    void receiveWhenBodyIsOverOneMebibyteThen413AndNothingStored() throws Exception {
        long before = totalEvents();
        byte[] body = new byte[1024 * 1024 + 1];
        java.util.Arrays.fill(body, (byte) 'a');

        Delivery delivery;
        try {
            delivery = sender.send(appUri(), body, WebhookSender.JWT_CONTENT_TYPE, Map.of());
        } catch (UncheckedIOException e) {
            // the server may close the connection after answering 413 while the client is still writing
            delivery = new Delivery(413, "connection closed after the answer");
        }

        assertThat(delivery.status()).isEqualTo(413);
        assertThat(totalEvents()).isEqualTo(before);
    }

    @Test
    void receiveWhenAppIdIsBadOrUnknownOrHasNoWebhookThen400Or404Or401() throws Exception {
        UUID withoutWebhook = JdbiAppStore.create(database, Clock.systemUTC()).create("no webhook").id();
        String token = Hs256Jwt.sign(ringing().json(), APP_SECRET);

        assertThat(sender.sendJwt(appUri("not-a-uuid"), token).status()).isEqualTo(400);
        assertThat(sender.sendJwt(appUri(UUID.randomUUID().toString()), token).status()).isEqualTo(404);
        assertThat(sender.sendJwt(appUri(withoutWebhook.toString()), token).status()).isEqualTo(401);
    }

    @Test
    void receiveWhenLegacySignatureIsHexOrBase64OnTheSharedPathThenAccepted() throws Exception {
        DialpadEvent hexEvent = ringing();
        DialpadEvent base64Event = ringing();
        byte[] key = SHARED_SECRET.getBytes(StandardCharsets.UTF_8);

        Delivery hex = sender.sendSignedJson(sharedUri(), hexEvent.jsonBytes(),
                Hs256Jwt.hmacSha256Hex(key, hexEvent.jsonBytes()));
        Delivery base64 = sender.sendSignedJson(sharedUri(), base64Event.jsonBytes(),
                Hs256Jwt.hmacSha256Base64(key, base64Event.jsonBytes()));

        assertThat(hex.status()).isEqualTo(200);
        assertThat(base64.status()).isEqualTo(200);
        assertThat(eventRows(key(hexEvent))).isEqualTo(1);
        assertThat(eventRows(key(base64Event))).isEqualTo(1);
    }

    @Test
    void receiveWhenSharedPathNamesAConnectedOrganisationThenOneEventPerApp() throws Exception {
        String organisation = ORGANISATION + "-" + CALL_IDS.incrementAndGet();
        UUID second = JdbiAppStore.create(database, Clock.systemUTC()).create("second app").id();
        JdbiConnectionStore connections = JdbiConnectionStore.create(database,
                SecretCipher.fromBase64Key(switchboard.configuration().secrets().requireTokenEncryptionKey().value(),
                        new SecureRandom()));
        Instant now = Instant.now();
        for (UUID app : List.of(appId, second)) {
            connections.save(new Connection(app, organisation, "access-token", "refresh-token",
                    now.plusSeconds(3600), DialpadEnvironment.SANDBOX, now, now,
                    RefreshHealth.initial(now.plusSeconds(1800))));
        }
        DialpadEvent event = DialpadEvents.call(CALL_IDS.incrementAndGet(), "ringing")
                .put("company_id", organisation).build();

        Delivery delivery = sender.sendJwt(sharedUri(), SHARED_SECRET, event);

        assertThat(delivery.status()).isEqualTo(200);
        try (var connection = testDatabase.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT app_id, organisation_id FROM webhook_events WHERE dedup_key = ? ORDER BY app_id")) {
            query.setString(1, key(event));
            List<UUID> apps = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    apps.add(rows.getObject(1, UUID.class));
                    assertThat(rows.getString(2)).isEqualTo(organisation);
                }
            }
            assertThat(apps).containsExactlyInAnyOrder(appId, second);
        }
    }

    @Test
    void receiveWhenSharedPathNamesNoKnownOrganisationThenKeptUnrouted() throws Exception {
        DialpadEvent event = DialpadEvents.call(CALL_IDS.incrementAndGet(), "ringing")
                .put("company_id", 999_000_111L).build();

        Delivery delivery = sender.sendJwt(sharedUri(), SHARED_SECRET, event);

        assertThat(delivery.status()).isEqualTo(200);
        try (var connection = testDatabase.connect();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT app_id, organisation_id, status FROM webhook_events WHERE dedup_key = ?")) {
            query.setString(1, key(event));
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getObject(1)).isNull();
                assertThat(rows.getString(2)).isEqualTo("999000111");
                assertThat(rows.getString(3)).isEqualTo("received");
                assertThat(rows.next()).isFalse();
            }
        }
    }

    @Test
    void processWhenRingingConnectedAndHangupArriveInAnyOrderThenOneEndedCallWithTheRightTimes() throws Exception {
        List<List<String>> orders = List.of(
                List.of("ringing", "connected", "hangup"), List.of("ringing", "hangup", "connected"),
                List.of("connected", "ringing", "hangup"), List.of("connected", "hangup", "ringing"),
                List.of("hangup", "ringing", "connected"), List.of("hangup", "connected", "ringing"));
        Instant start = Instant.parse("2025-01-15T10:00:00Z");
        List<Long> callIds = new ArrayList<>();
        for (List<String> order : orders) {
            long callId = CALL_IDS.incrementAndGet();
            callIds.add(callId);
            for (String state : order) {
                Delivery delivery = sender.sendJwt(appUri(), APP_SECRET,
                        DialpadEvents.call(callId, state).startedAt(start).build());
                assertThat(delivery.status()).isEqualTo(200);
            }
        }

        processAll();

        for (long callId : callIds) {
            Call call = calls.findByDialpadId(appId, Long.toString(callId)).orElseThrow();
            assertThat(call.status()).isEqualTo(CallStatus.ENDED);
            assertThat(call.startedAt()).contains(start);
            assertThat(call.answeredAt()).contains(start.plusSeconds(6));
            assertThat(call.endedAt()).contains(start.plusSeconds(66));
            assertThat(call.durationMillis()).contains(60_000L);
        }
    }

    @Test
    void processWhenAnEventIsPoisonThenItIsFailedWithItsErrorAndTheOthersAreProcessed() throws Exception {
        long poisonCall = CALL_IDS.incrementAndGet();
        DialpadEvent poison = DialpadEvents.call(poisonCall, "ringing").put("date_started", "yesterday").build();
        List<Long> good = new ArrayList<>();
        assertThat(sender.sendJwt(appUri(), APP_SECRET, poison).status()).isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            long callId = CALL_IDS.incrementAndGet();
            good.add(callId);
            assertThat(sender.sendJwt(appUri(), APP_SECRET, DialpadEvents.call(callId, "ringing").build()).status())
                    .isEqualTo(200);
        }

        processAll();

        for (long callId : good) {
            assertThat(calls.findByDialpadId(appId, Long.toString(callId))).isPresent();
        }
        assertThat(calls.findByDialpadId(appId, Long.toString(poisonCall))).isEmpty();
        try (var connection = testDatabase.connect();
             PreparedStatement query = connection.prepareStatement("SELECT status, attempts, last_error, "
                     + "next_attempt_at > received_at FROM webhook_events WHERE dedup_key = ?")) {
            query.setString(1, key(poison));
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("failed");
                assertThat(rows.getInt(2)).isPositive();
                assertThat(rows.getString(3)).contains("date_started");
                assertThat(rows.getBoolean(4)).isTrue();
            }
        }
    }

    @Test
    void receiveWhenTheDatabaseStopsThen503AndEverythingAnswered200IsKept() throws Exception {
        List<DialpadEvent> accepted = Collections.synchronizedList(new ArrayList<>());
        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean sending = new AtomicBoolean(true);
        Thread background = new Thread(() -> {
            while (sending.get()) {
                DialpadEvent event = ringing();
                try {
                    Delivery delivery = sender.sendJwt(appUri(), APP_SECRET, event);
                    statuses.add(delivery.status());
                    if (delivery.status() == 200) {
                        accepted.add(event);
                    }
                } catch (UncheckedIOException e) {
                    statuses.add(-1);
                }
            }
        });
        DialpadEvent duringOutage = ringing();
        Delivery refused;
        background.start();
        try {
            assertThat(sender.sendJwt(appUri(), APP_SECRET, ringing()).status()).isEqualTo(200);
            setConnectionsAllowed(false);
            try {
                refused = sender.sendJwt(appUri(), APP_SECRET, duringOutage);
            } finally {
                setConnectionsAllowed(true);
            }
            // Dialpad retries a 5xx; so does this test, until the pool has reconnected
            Delivery retried = sender.sendJwt(appUri(), APP_SECRET, duringOutage);
            for (int attempt = 0; attempt < 20 && retried.status() != 200; attempt++) {
                retried = sender.sendJwt(appUri(), APP_SECRET, duringOutage);
            }
            assertThat(retried.status()).isEqualTo(200);
        } finally {
            sending.set(false);
            background.join();
        }

        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.body()).contains("service_unavailable");
        assertThat(statuses).contains(200);
        assertThat(eventRows(key(duringOutage))).isEqualTo(1);
        for (DialpadEvent event : accepted) {
            assertThat(eventRows(key(event))).as("event answered 200 is stored").isEqualTo(1);
        }
    }

    /** Stops (or restores) every connection to the test database: what a database outage looks like to the pool. */
    private static void setConnectionsAllowed(boolean allowed) throws Exception {
        String admin = testDatabase.jdbcUrl().replace("/" + testDatabase.name(), "/postgres");
        try (var connection = java.sql.DriverManager.getConnection(admin);
             Statement statement = connection.createStatement()) {
            statement.execute("ALTER DATABASE " + testDatabase.name() + " ALLOW_CONNECTIONS " + allowed);
            if (!allowed) {
                statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                        + testDatabase.name() + "' AND pid <> pg_backend_pid()");
            }
        }
    }

    @Test
    void receiveWhenLegacyBodyIsSignedButNotJsonThen400() {
        byte[] body = "not json".getBytes(StandardCharsets.UTF_8);

        Delivery delivery = sender.sendSignedJson(sharedUri(), body,
                Hs256Jwt.hmacSha256Hex(SHARED_SECRET.getBytes(StandardCharsets.UTF_8), body));

        assertThat(delivery.status()).isEqualTo(400);
    }

    @Test
    void processWhenTheWorkersRunThenAStoredEventBecomesACallWithoutBeingDriven() throws Exception {
        long callId = CALL_IDS.incrementAndGet();
        try (Switchboard processing = Switchboard.start(switchboard.configuration(), new ProcessingConfig(2),
                new SecureRandom())) {
            URI uri = URI.create("http://127.0.0.1:" + processing.port() + "/webhooks/dialpad/" + appId);
            assertThat(sender.sendJwt(uri, APP_SECRET, DialpadEvents.call(callId, "ringing").build()).status())
                    .isEqualTo(200);

            Optional<Call> call = Optional.empty();
            Instant giveUp = Instant.now().plus(Duration.ofSeconds(30));
            while (call.isEmpty() && Instant.now().isBefore(giveUp)) {
                call = calls.findByDialpadId(appId, Long.toString(callId));
                Thread.onSpinWait();
            }
            assertThat(call).isPresent();
            assertThat(call.get().status()).isEqualTo(CallStatus.RINGING);
        }
    }
}
