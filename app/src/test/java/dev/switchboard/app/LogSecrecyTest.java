package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.app.AdminServer.Response;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.PushClient.KeyPlacement;
import dev.switchboard.testkit.PushClient;
import dev.switchboard.testkit.dialpad.Delivery;
import dev.switchboard.testkit.dialpad.DialpadEndpoint;
import dev.switchboard.testkit.dialpad.DialpadEvent;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.testkit.dialpad.Hs256Jwt;
import dev.switchboard.testkit.dialpad.WebhookSender;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * One run of every flow of the contract against the whole server (real HTTP, real PostgreSQL, the fake Dialpad),
 * with the log captured at DEBUG from start to end: the OAuth connect with PKCE and a background token refresh,
 * the Dialpad webhook created through the connection, signed deliveries on both webhook paths and rejected ones,
 * every API key operation, the data API and {@code /ws} with the key in each place it may travel, introspection,
 * user mappings, voicemails, audit export, metrics, and the disconnect. Every secret, token, key, code, verifier,
 * cookie value and signed body the run used is then searched for in what was logged, before any encoder (so the
 * redaction guard is not what keeps it clean) and as written.
 */
class LogSecrecyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WRONG_WEBHOOK_SECRET = "wrong-webhook-secret-for-the-log-run-0123456789";
    private static final String WRONG_INTERNAL_SECRET = "wrong-internal-secret-for-the-log-run-0123456789";
    private static final AtomicLong CALL_IDS = new AtomicLong(8_600_000_000L);
    /** Stops a broken run from hanging the build; nothing is asserted about durations. */
    private static final Duration HANG_GUARD = Duration.ofMinutes(1);

    private static final WebhookSender SENDER = WebhookSender.create();

    /** Every raw secret value the run sends, receives or causes, in the order it met them. */
    private final Set<String> used = new LinkedHashSet<>();
    private AdminServer server;

    @Test
    void everyFlowWhenCapturedAtDebugThenNoLineHoldsAnySecretTokenKeyCodeVerifierOrCookie() throws Exception {
        List<String> texts;
        List<String> written;
        try (AdminServer started = AdminServer.start()) {
            server = started;
            Secrets configured = server.switchboard.configuration().secrets();
            used(configured.requireInternalApiSecret().value(), configured.requireSessionSecret().value(),
                    configured.requireTokenEncryptionKey().value(), configured.requireDialpadWebhookSecret().value(),
                    server.switchboard.configuration().dialpad().client().orElseThrow().clientSecret().value(),
                    WRONG_WEBHOOK_SECRET, WRONG_INTERNAL_SECRET);
            try (CapturedLog log = CapturedLog.start()) {
                runEveryFlow();
                texts = log.texts();
                written = log.written();
            }
        }

        assertThat(used).hasSizeGreaterThan(40)
                .allSatisfy(secret -> assertThat(secret).hasSizeGreaterThanOrEqualTo(16));
        assertThat(holdingASecret(texts)).as("log events holding a secret of the run").isEmpty();
        assertThat(holdingASecret(written)).as("written log lines holding a secret of the run").isEmpty();
        assertTheLogShowsTheRun(texts, written);
    }

    /** The lines that contain any of the run's secrets. */
    private List<String> holdingASecret(List<String> lines) {
        return lines.stream().filter(line -> used.stream().anyMatch(line::contains)).toList();
    }

    private void runEveryFlow() throws Exception {
        // administration behind the internal bearer; the app's first key
        assertThat(server.send("GET", "/internal/apps", null, null).status()).isEqualTo(401);
        assertThat(server.send("GET", "/internal/apps", null, WRONG_INTERNAL_SECRET).status()).isEqualTo(403);
        Response created = expect(201, server.post("/internal/apps", "{\"name\": \"log run\"}"));
        UUID appId = UUID.fromString(created.json().get("app_id").asText());
        String firstKey = used(created.json().get("api_key").asText());
        String app = "/internal/apps/" + appId;
        expect(200, server.get("/internal/apps"));
        expect(200, server.send("PATCH", app, "{\"name\": \"log run, renamed\"}", AdminServer.INTERNAL_SECRET));

        Connection connected = connect(appId, app);
        Connection refreshed = awaitRefresh(appId, connected);
        expect(200, server.get(app));
        long organisation = Long.parseLong(refreshed.organisationId());

        // the Dialpad webhook, created through the app's connection with a fresh secret of its own
        Response webhook = expect(201, server.post("/internal/webhooks/create?app_id=" + appId, null));
        String webhookId = webhook.json().get("id").asText();
        String appSecret = used(server.dialpad.webhooks(organisation).get(0).signingSecret().orElseThrow());
        expect(200, server.get("/internal/webhooks?app_id=" + appId));
        expect(200, server.get("/internal/webhooks/" + webhookId));

        mapUsers(app);

        // every key operation: rotate, status, audit, revoke, create again
        String rotatedKey = used(expect(200, server.post(app + "/api-key", null)).json().get("api_key").asText());
        expect(200, server.get(app + "/api-key/status"));
        expect(200, server.get(app + "/api-key/audit"));
        expect(200, server.post(app + "/api-key/revoke", null));
        String key = used(expect(200, server.post(app + "/api-key", null)).json().get("api_key").asText());
        String unknownKey = used("raw_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(32)));
        String malformedKey = used("raw_not-a-key-" + UUID.randomUUID());

        int port = server.switchboard.port();
        IntSupplier sockets = () -> server.switchboard.openPushSockets(appId);
        try (PushClient inHeader = PushClient.connect(port, key, KeyPlacement.HEADER, sockets);
             PushClient inQuery = PushClient.connect(port, key, KeyPlacement.QUERY, sockets);
             PushClient asBearer = PushClient.connect(port, key, KeyPlacement.BEARER, sockets)) {
            assertThat(PushClient.handshakeStatus(port, firstKey, KeyPlacement.QUERY))
                    .isEqualTo(401);
            assertThat(PushClient.handshakeStatus(port, rotatedKey, KeyPlacement.HEADER))
                    .isEqualTo(401);
            assertThat(PushClient.handshakeStatus(port, unknownKey, KeyPlacement.QUERY))
                    .isEqualTo(401);
            deliverWebhooks(appId, organisation, appSecret, List.of(inHeader, inQuery, asBearer));
        }

        useTheDataApi(key, List.of(firstKey, rotatedKey, unknownKey, malformedKey));
        for (String token : List.of(key, rotatedKey, unknownKey)) {
            expect(200, server.post("/internal/introspect", JSON.writeValueAsString(Map.of("token", token))));
        }
        useTheVoicemails(app);
        for (String format : List.of("json", "ndjson", "csv")) {
            Response export = expect(200, server.get("/internal/audit?app_id=" + appId + "&format=" + format));
            assertThat(used).as("secrets in the audit export").noneMatch(export.body()::contains);
        }
        expect(200, server.send("GET", "/metrics", null, AdminServer.INTERNAL_SECRET));

        expect(200, server.delete("/internal/webhooks/" + webhookId));
        Response disconnected = expect(200, server.post("/auth/dialpad/disconnect/" + appId, null));
        assertThat(disconnected.json().get("revoked").asBoolean()).isTrue();
    }

    /** Connects the app through the browser flow, with access tokens that live 4 seconds. */
    private Connection connect(UUID appId, String app) throws Exception {
        URI link = URI.create(expect(201, server.post(app + "/connect-link", null)).json().get("connect_url").asText());
        used(Browser.query(link).get("connect_token"));
        Browser browser = new Browser(server.switchboard.port());
        // short-lived, so that the background refresher renews them during the run; later tokens live an hour
        server.dialpad.accessTokenLifetime(Duration.ofSeconds(4));
        HttpResponse<String> answer;
        Browser.Consent consent;
        try {
            consent = browser.consent(Browser.onPort(server.switchboard.port(), link));
            used(browser.cookie().orElseThrow());
            Map<String, String> callback = Browser.query(URI.create(consent.callback()));
            used(callback.get("code"), callback.get("state"));
            answer = browser.get(consent.callback());
        } finally {
            server.dialpad.accessTokenLifetime(Duration.ofHours(1));
        }
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        String tokenRequest = server.dialpad.lastRequest(DialpadEndpoint.TOKEN.path()).orElseThrow().bodyText();
        used(Browser.form(tokenRequest).get("code_verifier"));
        assertThat(browser.get(consent.callback()).statusCode()).as("the callback replayed").isEqualTo(400);
        Connection connection = server.connections.find(appId).orElseThrow();
        used(connection.accessToken(), connection.refreshToken());
        return connection;
    }

    /** Waits until the background refresher has replaced the connection's tokens, and returns the new ones. */
    private Connection awaitRefresh(UUID appId, Connection before) throws Exception {
        Connection now = Await.atMost(HANG_GUARD).pollingEvery(Duration.ofMillis(100))
                .until(() -> server.connections.find(appId).orElseThrow(),
                        connection -> !connection.accessToken().equals(before.accessToken()));
        assertThat(now.accessToken()).as("a refresh before the hang guard").isNotEqualTo(before.accessToken());
        used(now.accessToken(), now.refreshToken());
        assertThat(server.dialpad.refreshCount()).isPositive();
        return now;
    }

    private void mapUsers(String app) {
        String users = app + "/users";
        String target = Long.toString(DialpadEvents.DEFAULT_TARGET_ID);
        expect(201, server.post(users + "/map", "{\"dialpad_user_id\": \"" + target
                + "\", \"crm_user_id\": \"crm-log-run\"}"));
        Response batch = expect(200, server.post(users + "/batch-map", "{\"mappings\": ["
                + "{\"dialpad_user_id\": \"dp-1\", \"crm_user_id\": \"crm-1\"},"
                + "{\"dialpad_user_id\": \"dp-2\", \"crm_user_id\": \"crm-2\"}]}"));
        expect(200, server.get(users + "/mappings"));
        expect(200, server.get(users + "/mappings/dialpad/" + target));
        expect(200, server.get(users + "/mappings/crm/crm-1"));
        String mappingId = batch.json().get("mappings").get(0).get("mapping_id").asText();
        expect(200, server.delete(users + "/mappings/" + mappingId));
        expect(200, server.delete(users + "/mappings/dialpad/dp-2"));
    }

    /**
     * Signed deliveries on both paths, each waited for on every socket as its push, then the predecessor's HMAC form,
     * then deliveries that must be refused: a wrong secret on each path, the app's secret on the shared path, a
     * tampered payload and a wrong HMAC.
     */
    private void deliverWebhooks(UUID appId, long organisation, String appSecret, List<PushClient> sockets)
            throws InterruptedException {
        String sharedSecret = server.switchboard.configuration().secrets().requireDialpadWebhookSecret().value();
        URI perApp = URI.create("http://127.0.0.1:" + server.switchboard.port() + "/webhooks/dialpad/" + appId);
        URI shared = URI.create("http://127.0.0.1:" + server.switchboard.port() + "/webhooks/dialpad");
        long call = CALL_IDS.incrementAndGet();
        deliver(perApp, appSecret, DialpadEvents.call(call, "ringing").build(), sockets, "call.ring", call);
        deliver(shared, sharedSecret, DialpadEvents.call(call, "connected").put("company_id", organisation).build(),
                sockets, "call.started", call);
        deliver(perApp, appSecret, DialpadEvents.call(call, "hangup").build(), sockets, "call.ended", call);
        long voicemail = CALL_IDS.incrementAndGet();
        deliver(perApp, appSecret, DialpadEvents.call(voicemail, "voicemail")
                .voicemailShareLink("https://dialpad.example/vm/" + voicemail).build(), sockets, "voicemail.received",
                voicemail);
        long message = CALL_IDS.incrementAndGet();
        deliver(shared, sharedSecret, DialpadEvents.sms(message).put("company_id", organisation).build(), sockets,
                "message.received", message);

        DialpadEvent legacy = DialpadEvents.call(CALL_IDS.incrementAndGet(), "ringing")
                .put("company_id", organisation).build();
        String signature = used(Hs256Jwt.hmacSha256Hex(sharedSecret.getBytes(StandardCharsets.UTF_8),
                legacy.jsonBytes()));
        assertThat(SENDER.sendSignedJson(shared, legacy.jsonBytes(), signature).status()).isEqualTo(200);

        DialpadEvent refused = DialpadEvents.call(CALL_IDS.incrementAndGet(), "ringing")
                .put("company_id", organisation).build();
        String[] good = signed(refused, appSecret).split("\\.");
        String otherPayload = signed(DialpadEvents.call(CALL_IDS.incrementAndGet(), "ringing").build(), appSecret)
                .split("\\.")[1];
        List<Delivery> deliveries = List.of(
                SENDER.sendJwt(perApp, signed(refused, WRONG_WEBHOOK_SECRET)),
                SENDER.sendJwt(shared, signed(refused, WRONG_WEBHOOK_SECRET)),
                SENDER.sendJwt(shared, signed(refused, appSecret)),
                SENDER.sendJwt(perApp, used(good[0] + "." + otherPayload + "." + good[2])),
                SENDER.sendSignedJson(shared, refused.jsonBytes(), used(Hs256Jwt.hmacSha256Hex(
                        WRONG_WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), refused.jsonBytes()))));
        assertThat(deliveries).extracting(Delivery::status).containsOnly(401);
    }

    /** Posts {@code event} signed with {@code secret} and waits until every socket got its push. */
    private void deliver(URI hook, String secret, DialpadEvent event, List<PushClient> sockets, String type,
                         long dialpadId) throws InterruptedException {
        assertThat(SENDER.sendJwt(hook, signed(event, secret)).status()).isEqualTo(200);
        Predicate<Map<String, Object>> pushed = message -> type.equals(message.get("type"))
                && message.get("data") instanceof Map<?, ?> data && data.toString().contains(Long.toString(dialpadId));
        for (PushClient socket : sockets) {
            socket.until(pushed);
        }
    }

    /** The compact JWT of {@code event} signed with {@code secret}; it, its payload and signature are secrets. */
    private String signed(DialpadEvent event, String secret) {
        String token = used(Hs256Jwt.sign(event.json(), secret));
        String[] parts = token.split("\\.");
        used(parts[1], parts[2]);
        return token;
    }

    private void useTheDataApi(String key, List<String> badKeys) {
        Response calls = expect(200, api("/api/calls", "x-app-api-key", key));
        assertThat(calls.json().get("pagination").get("total").asInt()).isGreaterThanOrEqualTo(2);
        expect(200, api("/api/calls/active", "Authorization", "Bearer " + key));
        expect(200, api("/api/calls?status=ended&limit=5", "Authorization", "Bearer " + key));
        expect(200, api("/api/calls/" + calls.json().get("data").get(0).get("id").asText(), "x-app-api-key", key));
        Response messages = expect(200, api("/api/messages", "Authorization", "Bearer " + key));
        expect(200, api("/api/messages/" + messages.json().get("data").get(0).get("id").asText(), "x-app-api-key",
                key));
        for (String bad : badKeys) {
            expect(401, api("/api/calls", "x-app-api-key", bad));
            expect(401, api("/api/messages", "Authorization", "Bearer " + bad));
        }
    }

    private void useTheVoicemails(String app) {
        Response voicemails = expect(200, server.get(app + "/voicemails"));
        String voicemail = app + "/voicemails/" + voicemails.json().get("data").get(0).get("id").asText();
        expect(200, server.get(voicemail));
        expect(200, server.delete(voicemail));
    }

    /**
     * That the capture is the run's: every written line is a JSON object of the contract's shape, every route the run
     * called has its access line with a request id, and the OAuth steps left their events.
     */
    private static void assertTheLogShowsTheRun(List<String> texts, List<String> written) {
        List<JsonNode> lines = written.stream().map(LogSecrecyTest::parse).toList();
        assertThat(lines).allSatisfy(line -> assertThat(line.has("timestamp") && line.has("level")
                && line.has("logger") && line.has("message")).as(line.toString()).isTrue());
        List<JsonNode> requests = lines.stream().filter(line -> "http_request".equals(line.path("event").asText()))
                .toList();
        assertThat(requests).allSatisfy(request -> assertThat(request.path("request_id").asText()).isNotBlank());
        Set<String> routes = new LinkedHashSet<>();
        requests.forEach(request -> routes.add(request.path("method").asText() + " " + request.path("route").asText()));
        String app = "/internal/apps/{app_id}";
        assertThat(routes).contains("POST /internal/apps", "GET /internal/apps", "PATCH " + app, "GET " + app,
                "POST " + app + "/connect-link", "GET /auth/dialpad/connect", "GET /auth/dialpad/callback",
                "POST /internal/webhooks/create", "GET /internal/webhooks", "GET /internal/webhooks/{id}",
                "POST " + app + "/users/map", "POST " + app + "/users/batch-map", "GET " + app + "/users/mappings",
                "GET " + app + "/users/mappings/dialpad/{id}", "GET " + app + "/users/mappings/crm/{id}",
                "DELETE " + app + "/users/mappings/{mapping_id}", "DELETE " + app + "/users/mappings/dialpad/{id}",
                "POST " + app + "/api-key", "GET " + app + "/api-key/status", "GET " + app + "/api-key/audit",
                "POST " + app + "/api-key/revoke", "GET /ws", "POST /webhooks/dialpad/{app_id}",
                "POST /webhooks/dialpad", "GET /api/calls", "GET /api/calls/active", "GET /api/calls/{id}",
                "GET /api/messages", "GET /api/messages/{id}", "POST /internal/introspect",
                "GET " + app + "/voicemails", "GET " + app + "/voicemails/{id}", "DELETE " + app + "/voicemails/{id}",
                "GET /internal/audit", "GET /metrics", "DELETE /internal/webhooks/{id}",
                "POST /auth/dialpad/disconnect/{app_id}");
        assertThat(requests).anySatisfy(request -> assertThat(request.path("route").asText() + " "
                + request.path("status").asInt()).isEqualTo("/ws 401"));
        for (String event : List.of("oauth_exchanged", "oauth_refreshed", "oauth_deauthorized")) {
            assertThat(texts).as("the event " + event).anyMatch(text -> text.contains("event=" + event));
        }
    }

    private Response api(String path, String header, String value) {
        return server.exchange("GET", path, null, Map.of(header, value));
    }

    private static Response expect(int status, Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        return response;
    }

    private String used(String value) {
        assertThat(value).as("a secret of the run").isNotBlank();
        used.add(value);
        return value;
    }

    private void used(String... values) {
        for (String value : values) {
            used(value);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not one JSON object: " + line, e);
        }
    }
}
