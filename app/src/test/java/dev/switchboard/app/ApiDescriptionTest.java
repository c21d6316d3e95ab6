package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.http.HttpServer;
import dev.switchboard.http.HttpSettings;
import dev.switchboard.http.RouteGroup;
import dev.switchboard.testkit.PushClient;
import dev.switchboard.testkit.dialpad.Delivery;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.testkit.dialpad.Hs256Jwt;
import dev.switchboard.testkit.dialpad.WebhookSender;
import io.javalin.http.HandlerType;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The API description documents of a real Switchboard (every adapter wired, real PostgreSQL, fake Dialpad): both
 * load without errors with real tooling, they are served without credentials with the edge headers, and the routes
 * the server registers are exactly the documented operations, which the fixture servers below show the check to
 * catch in both directions. Then the real answers of every route group (successes and errors, driven with the fake
 * Dialpad over HTTP) are validated against the schemas the OpenAPI document gives for their operation and status,
 * and the {@code /ws} messages against the AsyncAPI document; the last test checks that every documented operation
 * was reached, so an operation added to the description without an answer checked here is noticed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiDescriptionTest {
    /** Events the contract names that the document must describe, beyond those pushed today. */
    private static final List<String> CONNECTION_EVENTS = List.of("connection.connected",
            "connection.needs_reconnect", "connection.disconnected");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHARED_SECRET = "shared-webhook-secret-for-tests";
    private static final AtomicLong CALL_IDS = new AtomicLong(8_300_000_000_000_000L);
    private static final String NO_SUCH_ID = "00000000-0000-4000-8000-000000000000";
    private static final WebhookSender SENDER = WebhookSender.create();

    private static AdminServer server;
    private static ApiDocuments documents;

    @BeforeAll
    static void start() throws Exception {
        server = AdminServer.start();
        documents = ApiDocuments.fetch(server.switchboard.port());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void openApiWhenLoadedWithSwaggerParserThenVersion31WithoutAnyMessage() {
        SwaggerParseResult result = parse(documents.openApiText);

        assertThat(result.getMessages()).isEmpty();
        assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.1.");
        assertThat(result.getOpenAPI().getPaths()).containsKeys("/api/calls", "/internal/apps", "/ready");
        assertThat(result.getOpenAPI().getComponents().getSecuritySchemes())
                .containsKeys("appApiKey", "appBearer", "internalBearer", "dialpadLegacySignature");
        assertThat(result.getOpenAPI().getComponents().getSchemas().get("Error").getRequired())
                .containsExactly("error", "message");
    }

    @Test
    void openApiWhenAReferenceIsBrokenThenSwaggerParserReportsIt() {
        String broken = documents.openApiText.replace("\"#/components/schemas/Call\"",
                "\"#/components/schemas/NoSuchSchema\"");
        SwaggerParseResult result = parse(broken);

        assertThat(broken).isNotEqualTo(documents.openApiText);
        assertThat(result.getMessages()).anySatisfy(message -> assertThat(message).contains("NoSuchSchema"));
    }

    @Test
    void asyncApiWhenCheckedThenHasTheAsyncApi3StructureEveryReferenceResolvesAndEveryEventIsDescribed()
            throws Exception {
        String structure;
        try (InputStream in = ApiDescriptionTest.class.getResourceAsStream("/asyncapi-3-structure.schema.json")) {
            structure = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        var errors = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(structure, InputFormat.JSON).validate(documents.asyncApiText, InputFormat.JSON);

        assertThat(errors).isEmpty();
        assertThat(ApiDocuments.brokenReferences(documents.asyncApi)).isEmpty();
        assertThat(ApiDocuments.brokenReferences(documents.openApi)).isEmpty();
        assertThat(documents.asyncApi.at("/channels/socket/address").asText()).isEqualTo("/ws");
        Set<String> wanted = new TreeSet<>(CONNECTION_EVENTS);
        Stream.of(PushEventType.values()).map(PushEventType::wireName).forEach(wanted::add);
        for (String channel : List.of("socket", "endpointDelivery")) {
            Set<String> described = new TreeSet<>();
            for (JsonNode message : documents.asyncApi.at("/channels/" + channel + "/messages")) {
                described.add(ApiDocuments.resolve(documents.asyncApi, message).path("name").asText());
            }
            assertThat(described).as(channel).isEqualTo(wanted);
        }
        JsonNode deliveryHeaders = documents.asyncApi.at("/components/schemas/DeliveryHeaders/required");
        assertThat(deliveryHeaders.toString()).contains("webhook-id", "webhook-timestamp", "webhook-signature");
    }

    @Test
    void documentsWhenFetchedWithoutCredentialsThenJsonWithTheEdgeHeaders() throws Exception {
        for (String path : List.of("/openapi.json", "/asyncapi.json")) {
            HttpResponse<String> response = ApiDocuments.get(server.switchboard.port(), path);

            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
            assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
            documents.assertAnswer("GET", path, 200, response.headers().firstValue("Content-Type").orElseThrow(),
                    response.body());
        }
    }

    @Test
    void registeredRoutesWhenComparedWithTheDescriptionThenEachIsDocumentedAndEachDocumentedOneServed() {
        List<String> registered = server.switchboard.httpRoutes();

        ApiDocuments.Drift drift = documents.drift(registered);

        assertThat(drift.undocumented()).as("registered but not documented").isEmpty();
        assertThat(drift.notServed()).as("documented but not registered").isEmpty();
        assertThat(registered).contains("GET /openapi.json", "GET /asyncapi.json", "GET /api/calls/{id}");
    }

    @Test
    void driftWhenAServerRegistersARouteNobodyDocumentedThenTheCheckNamesIt() {
        List<String> routes = new ArrayList<>(routesOfTheGroups());
        routes.add("POST /internal/apps/{app_id}/undocumented-fixture");

        try (HttpServer fixture = serverWith(routes)) {
            ApiDocuments.Drift drift = documents.drift(fixture.httpRoutes());

            assertThat(drift.none()).isFalse();
            assertThat(drift.undocumented()).containsExactly("POST /internal/apps/{}/undocumented-fixture");
            assertThat(drift.notServed()).isEmpty();
        }
    }

    @Test
    void driftWhenADocumentedRouteIsNoLongerServedThenTheCheckNamesIt() {
        List<String> routes = new ArrayList<>(routesOfTheGroups());
        assertThat(routes.remove("DELETE /internal/webhooks/{id}")).isTrue();

        try (HttpServer fixture = serverWith(routes)) {
            ApiDocuments.Drift drift = documents.drift(fixture.httpRoutes());

            assertThat(drift.none()).isFalse();
            assertThat(drift.undocumented()).isEmpty();
            assertThat(drift.notServed()).containsExactly("DELETE /internal/webhooks/{}");
        }
    }

    /** {@code openApi} read by swagger-parser, references resolved and checked. */
    private static SwaggerParseResult parse(String openApi) {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);
        return new OpenAPIParser().readContents(openApi, null, options);
    }

    /** The routes the real server's route groups registered: all of them but the server's own built-ins. */
    private static List<String> routesOfTheGroups() {
        List<String> builtIn;
        try (HttpServer bare = HttpServer.start("127.0.0.1", 0)) {
            builtIn = bare.httpRoutes();
        }
        return server.switchboard.httpRoutes().stream().filter(route -> !builtIn.contains(route)).toList();
    }

    /** A real server on a random port whose one route group registers {@code routes} with empty handlers. */
    private static HttpServer serverWith(List<String> routes) {
        RouteGroup fixture = config -> routes.forEach(route -> {
            String[] parts = route.split(" ", 2);
            config.addHttpHandler(HandlerType.findOrCreate(parts[0]), parts[1], ctx -> { });
        });
        return HttpServer.start(HttpSettings.of("127.0.0.1", 0), List.of(fixture));
    }

    @Test
    void probesAndDocumentsWhenAskedThenMatchTheirSchemas() {
        for (String path : List.of("/", "/health", "/ready", "/metrics", "/openapi.json", "/asyncapi.json")) {
            assertThat(check("GET", path, path, null, Map.of()).status()).isEqualTo(200);
        }
    }

    @Test
    void appsWhenCreatedListedShownUpdatedAndLinkedThenEveryAnswerMatches() throws Exception {
        JsonNode created = internal("POST", "/internal/apps", "/internal/apps", "{\"name\":\"described\"}").json();
        String appId = created.path("app_id").asText();
        String apps = "/internal/apps/" + appId;

        internal("GET", "/internal/apps", "/internal/apps", null);
        assertThat(internal("GET", "/internal/apps/{app_id}", apps, null).json().path("connection").isNull())
                .isTrue();
        App connected = server.apps.find(UUID.fromString(appId)).orElseThrow();
        server.connect(connected);
        assertThat(internal("GET", "/internal/apps/{app_id}", apps, null).json().path("connection").isObject())
                .isTrue();
        internal("PATCH", "/internal/apps/{app_id}", apps, "{\"name\":\"described again\"}");
        internal("POST", "/internal/apps/{app_id}/connect-link", apps + "/connect-link", null);
        assertThat(internal("POST", "/internal/apps/{app_id}/connect-link", apps + "/connect-link",
                "{\"dialpad_org_id\":\"123\"}").json().path("dialpad_org_id").asText()).isEqualTo("123");

        assertThat(check("POST", "/internal/apps", "/internal/apps", "{\"name\":\"x\"}", Map.of()).status())
                .isEqualTo(401);
        assertThat(check("GET", "/internal/apps", "/internal/apps", null, Map.of("Authorization", "Bearer wrong"))
                .status()).isEqualTo(403);
        assertThat(internal("POST", "/internal/apps", "/internal/apps", "{\"name\":\"\"}").status()).isEqualTo(400);
        HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                hookUri("/internal/apps")).header("Authorization", "Bearer " + AdminServer.INTERNAL_SECRET)
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("name")).build(),
                HttpResponse.BodyHandlers.ofString());
        documents.assertAnswer("POST", "/internal/apps", plain.statusCode(),
                plain.headers().firstValue("Content-Type").orElse(""), plain.body());
        assertThat(plain.statusCode()).isEqualTo(415);
        assertThat(internal("GET", "/internal/apps/{app_id}", "/internal/apps/nope", null).status()).isEqualTo(400);
        assertThat(internal("GET", "/internal/apps/{app_id}", "/internal/apps/" + NO_SUCH_ID, null).status())
                .isEqualTo(404);
        assertThat(internal("PATCH", "/internal/apps/{app_id}", "/internal/apps/" + NO_SUCH_ID, "{\"name\":\"x\"}")
                .status()).isEqualTo(404);
        internal("PATCH", "/internal/apps/{app_id}", apps, "{\"is_active\":false}");
        assertThat(internal("POST", "/internal/apps/{app_id}/connect-link", apps + "/connect-link", null).status())
                .isEqualTo(403);
    }

    @Test
    void apiKeysWhenRotatedInspectedRevokedAndIntrospectedThenEveryAnswerMatches() {
        TestApp app = newApp();
        String base = "/internal/apps/" + app.id() + "/api-key";

        String key = internal("POST", "/internal/apps/{app_id}/api-key", base, null).json().path("api_key").asText();
        internal("GET", "/internal/apps/{app_id}/api-key/status", base + "/status", null);
        assertThat(internal("GET", "/internal/apps/{app_id}/api-key/audit", base + "/audit", null).json()
                .path("entries").size()).isGreaterThanOrEqualTo(2);
        assertThat(internal("POST", "/internal/introspect", "/internal/introspect",
                "{\"token\":\"" + key + "\"}").json().path("active").asBoolean()).isTrue();
        internal("POST", "/internal/apps/{app_id}/api-key/revoke", base + "/revoke", null);
        assertThat(internal("POST", "/internal/introspect", "/internal/introspect",
                "{\"token\":\"" + key + "\"}").json().path("active").asBoolean()).isFalse();
        internal("GET", "/internal/apps/{app_id}/api-key/status", base + "/status", null);

        assertThat(internal("POST", "/internal/apps/{app_id}/api-key/revoke", base + "/revoke", null).status())
                .isEqualTo(404);
        assertThat(internal("POST", "/internal/introspect", "/internal/introspect", "{}").status()).isEqualTo(400);
        String unknown = "/internal/apps/" + NO_SUCH_ID + "/api-key";
        assertThat(internal("POST", "/internal/apps/{app_id}/api-key", unknown, null).status()).isEqualTo(404);
        assertThat(internal("GET", "/internal/apps/{app_id}/api-key/status", "/internal/apps/x/api-key/status",
                null).status()).isEqualTo(400);
        assertThat(internal("GET", "/internal/apps/{app_id}/api-key/audit", unknown + "/audit", null).status())
                .isEqualTo(404);
    }

    @Test
    void apiKeysWhenRotatedWithAGraceThenTheAnswersWithTheGraceFieldsMatch() {
        TestApp app = newApp();
        String base = "/internal/apps/" + app.id() + "/api-key";

        assertThat(internal("POST", "/internal/apps/{app_id}/api-key", base, "{\"grace_seconds\": 600}").json()
                .has("previous_key_expires_at")).isTrue();
        assertThat(internal("GET", "/internal/apps/{app_id}/api-key/status", base + "/status", null).json()
                .has("previous_key_hint")).isTrue();
        assertThat(internal("GET", "/internal/apps/{app_id}/api-key/audit", base + "/audit", null).json()
                .path("entries").findValues("previous_key_expires_at")).hasSize(1);
        assertThat(internal("POST", "/internal/apps/{app_id}/api-key", base, "{\"grace_seconds\": 1.5}").status())
                .isEqualTo(400);
    }

    @Test
    void callsAndMessagesWhenPostedAsWebhooksThenReceiptsSocketMessagesAndDataAnswersMatch() throws Exception {
        TestApp app = newApp();
        String organisation = Long.toString(server.connect(server.apps.find(app.id()).orElseThrow()));
        long callId = CALL_IDS.incrementAndGet();
        long voicemailCall = CALL_IDS.incrementAndGet();

        try (PushClient socket = PushClient.connect(server.switchboard.port(), app.key(),
                PushClient.KeyPlacement.HEADER, () -> server.switchboard.openPushSockets(app.id()))) {
            for (String state : List.of("ringing", "connected", "hangup")) {
                hook("/webhooks/dialpad", "/webhooks/dialpad",
                        DialpadEvents.call(callId, state).put("company_id", organisation).build().json(), 200);
            }
            hook("/webhooks/dialpad", "/webhooks/dialpad", DialpadEvents.call(callId, "recording")
                    .recording("https://dialpad.example/recording/1").put("company_id", organisation).build()
                    .json(), 200);
            hook("/webhooks/dialpad", "/webhooks/dialpad", DialpadEvents.call(voicemailCall, "voicemail")
                    .voicemailShareLink("https://dialpad.example/voicemail/1").put("company_id", organisation)
                    .build().json(), 200);
            String sms = DialpadEvents.sms(CALL_IDS.incrementAndGet()).text("hello")
                    .put("company_id", organisation).build().json();
            hook("/webhooks/dialpad", "/webhooks/dialpad", sms, 200);
            assertThat(JSON.readTree(hook("/webhooks/dialpad", "/webhooks/dialpad", sms, 200).body())
                    .path("duplicate").asBoolean()).isTrue();

            for (String type : List.of("call.ring", "call.started", "call.ended", "call.recording",
                    "voicemail.received", "message.received")) {
                socket.until(message -> type.equals(message.get("type")));
            }
            for (Map<String, Object> message : socket.taken()) {
                documents.assertEvent(JSON.writeValueAsString(message));
            }
        }

        String calls = api(app, "GET", "/api/calls", "/api/calls").body();
        String id = JSON.readTree(calls).path("data").path(0).path("id").asText();
        api(app, "GET", "/api/calls", "/api/calls?status=ended&direction=inbound&from=2020-01-01&limit=5&offset=0");
        api(app, "GET", "/api/calls/active", "/api/calls/active");
        api(app, "GET", "/api/calls/{id}", "/api/calls/" + id);
        String messageId = JSON.readTree(api(app, "GET", "/api/messages", "/api/messages").body()).path("data").path(0)
                .path("id").asText();
        api(app, "GET", "/api/messages/{id}", "/api/messages/" + messageId);

        assertThat(api(app, "GET", "/api/calls", "/api/calls?status=lost").status()).isEqualTo(400);
        assertThat(api(app, "GET", "/api/calls/{id}", "/api/calls/" + NO_SUCH_ID).status()).isEqualTo(404);
        assertThat(api(app, "GET", "/api/messages/{id}", "/api/messages/nope").status()).isEqualTo(400);
        assertThat(api(app, "GET", "/api/messages", "/api/messages?direction=sideways").status()).isEqualTo(400);
        assertThat(api(app, "GET", "/api/calls/active", "/api/calls/active?limit=0").status()).isEqualTo(400);
        assertThat(api(app, "GET", "/api/messages/{id}", "/api/messages/" + NO_SUCH_ID).status()).isEqualTo(404);
        assertThat(check("GET", "/api/calls", "/api/calls", null, Map.of()).status()).isEqualTo(401);
        assertThat(check("GET", "/api/calls/{id}", "/api/calls/" + id, null, Map.of("x-app-api-key", "raw_nope"))
                .status()).isEqualTo(401);

        String voicemails = "/internal/apps/" + app.id() + "/voicemails";
        String voicemail = internal("GET", "/internal/apps/{app_id}/voicemails", voicemails, null).json()
                .path("data").path(0).path("id").asText();
        internal("GET", "/internal/apps/{app_id}/voicemails/{id}", voicemails + "/" + voicemail, null);
        internal("DELETE", "/internal/apps/{app_id}/voicemails/{id}", voicemails + "/" + voicemail, null);
        assertThat(internal("GET", "/internal/apps/{app_id}/voicemails/{id}", voicemails + "/" + voicemail, null)
                .status()).isEqualTo(404);
        assertThat(internal("DELETE", "/internal/apps/{app_id}/voicemails/{id}", voicemails + "/x", null).status())
                .isEqualTo(400);
        assertThat(internal("GET", "/internal/apps/{app_id}/voicemails", voicemails + "?limit=500", null).status())
                .isEqualTo(400);
        assertThat(internal("GET", "/internal/apps/{app_id}/voicemails",
                "/internal/apps/" + NO_SUCH_ID + "/voicemails", null).status()).isEqualTo(404);
    }

    @Test
    void webhookReceiptsWhenRefusedThenErrorsMatch() {
        String event = DialpadEvents.call(CALL_IDS.incrementAndGet(), "ringing").build().json();
        Delivery wrong = SENDER.sendJwt(hookUri("/webhooks/dialpad"), Hs256Jwt.sign(event, "not-the-secret"));
        documents.assertAnswer("POST", "/webhooks/dialpad", wrong.status(), "application/json", wrong.body());
        assertThat(wrong.status()).isEqualTo(401);
        Delivery malformed = SENDER.sendJwt(hookUri("/webhooks/dialpad"), "not a token");
        documents.assertAnswer("POST", "/webhooks/dialpad", malformed.status(), "application/json",
                malformed.body());
        assertThat(malformed.status()).isEqualTo(400);
        Delivery unknownApp = SENDER.sendJwt(hookUri("/webhooks/dialpad/" + NO_SUCH_ID),
                Hs256Jwt.sign(event, "any"));
        documents.assertAnswer("POST", "/webhooks/dialpad/{app_id}", unknownApp.status(), "application/json",
                unknownApp.body());
        assertThat(unknownApp.status()).isEqualTo(404);
        Delivery badId = SENDER.sendJwt(hookUri("/webhooks/dialpad/nope"), Hs256Jwt.sign(event, "any"));
        documents.assertAnswer("POST", "/webhooks/dialpad/{app_id}", badId.status(), "application/json",
                badId.body());
        assertThat(badId.status()).isEqualTo(400);
    }

    @Test
    void userMappingsWhenMappedListedFoundAndDeletedThenEveryAnswerMatches() {
        TestApp app = newApp();
        String users = "/internal/apps/" + app.id() + "/users";

        assertThat(internal("POST", "/internal/apps/{app_id}/users/map", users + "/map",
                "{\"dialpad_user_id\":\"du-1\",\"crm_user_id\":\"crm-1\"}").status()).isEqualTo(201);
        assertThat(internal("POST", "/internal/apps/{app_id}/users/map", users + "/map",
                "{\"dialpad_user_id\":\"du-1\",\"crm_user_id\":\"crm-2\"}").json().path("outcome").asText())
                .isEqualTo("remapped");
        internal("POST", "/internal/apps/{app_id}/users/batch-map", users + "/batch-map",
                "{\"mappings\":[{\"dialpad_user_id\":\"du-2\",\"crm_user_id\":\"crm-2\"},"
                        + "{\"dialpad_user_id\":3,\"crm_user_id\":\"crm-3\"}]}");
        assertThat(internal("POST", "/internal/apps/{app_id}/users/batch-map", users + "/batch-map",
                "{\"mappings\":[{\"dialpad_user_id\":\"du-9\",\"crm_user_id\":\"a\"},"
                        + "{\"dialpad_user_id\":\"du-9\",\"crm_user_id\":\"b\"}]}").status()).isEqualTo(409);
        String mappingId = internal("GET", "/internal/apps/{app_id}/users/mappings", users + "/mappings", null)
                .json().path("mappings").path(0).path("mapping_id").asText();
        internal("GET", "/internal/apps/{app_id}/users/mappings/dialpad/{id}", users + "/mappings/dialpad/du-2",
                null);
        internal("GET", "/internal/apps/{app_id}/users/mappings/crm/{id}", users + "/mappings/crm/crm-2", null);
        internal("DELETE", "/internal/apps/{app_id}/users/mappings/dialpad/{id}", users + "/mappings/dialpad/3",
                null);
        internal("DELETE", "/internal/apps/{app_id}/users/mappings/{mapping_id}", users + "/mappings/" + mappingId,
                null);

        assertThat(internal("POST", "/internal/apps/{app_id}/users/map", users + "/map",
                "{\"dialpad_user_id\":true,\"crm_user_id\":\"x\"}").status()).isEqualTo(400);
        assertThat(internal("GET", "/internal/apps/{app_id}/users/mappings/dialpad/{id}",
                users + "/mappings/dialpad/nobody", null).status()).isEqualTo(404);
        assertThat(internal("GET", "/internal/apps/{app_id}/users/mappings/crm/{id}",
                users + "/mappings/crm/nobody", null).status()).isEqualTo(404);
        assertThat(internal("DELETE", "/internal/apps/{app_id}/users/mappings/{mapping_id}",
                users + "/mappings/" + mappingId, null).status()).isEqualTo(404);
        assertThat(internal("DELETE", "/internal/apps/{app_id}/users/mappings/dialpad/{id}",
                users + "/mappings/dialpad/nobody", null).status()).isEqualTo(404);
        assertThat(internal("GET", "/internal/apps/{app_id}/users/mappings",
                "/internal/apps/" + NO_SUCH_ID + "/users/mappings", null).status()).isEqualTo(404);
    }

    @Test
    void dialpadWebhooksWhenCreatedListedShownAndDeletedThenEveryAnswerMatches() {
        TestApp app = newApp();
        server.connect(server.apps.find(app.id()).orElseThrow());
        TestApp notConnected = newApp();

        String id = internal("POST", "/internal/webhooks/create", "/internal/webhooks/create?app_id=" + app.id(),
                null).json().path("id").asText();
        internal("GET", "/internal/webhooks", "/internal/webhooks?app_id=" + app.id(), null);
        internal("GET", "/internal/webhooks/{id}", "/internal/webhooks/" + id, null);
        assertThat(internal("POST", "/internal/webhooks/{id}/rotate-secret", "/internal/webhooks/" + id
                + "/rotate-secret", null).status()).isEqualTo(200);
        internal("DELETE", "/internal/webhooks/{id}", "/internal/webhooks/" + id, null);
        assertThat(internal("POST", "/internal/webhooks/{id}/rotate-secret", "/internal/webhooks/" + id
                + "/rotate-secret", null).status()).isEqualTo(404);

        assertThat(internal("POST", "/internal/webhooks/create", "/internal/webhooks/create?app_id="
                + notConnected.id(), null).status()).isEqualTo(409);
        assertThat(internal("POST", "/internal/webhooks/create", "/internal/webhooks/create", null).status())
                .isEqualTo(400);
        assertThat(internal("GET", "/internal/webhooks", "/internal/webhooks?app_id=" + NO_SUCH_ID, null).status())
                .isEqualTo(404);
        assertThat(internal("GET", "/internal/webhooks/{id}", "/internal/webhooks/" + id, null).status())
                .isEqualTo(404);
        assertThat(internal("DELETE", "/internal/webhooks/{id}", "/internal/webhooks/nope", null).status())
                .isEqualTo(400);
    }

    @Test
    void auditWhenExportedInEachFormatThenAnswersMatch() {
        internal("GET", "/internal/audit", "/internal/audit", null);
        internal("GET", "/internal/audit", "/internal/audit?format=ndjson", null);
        internal("GET", "/internal/audit", "/internal/audit?format=csv&since=2020-01-01T00:00:00Z", null);
        assertThat(internal("GET", "/internal/audit", "/internal/audit?format=xml", null).status()).isEqualTo(400);
        assertThat(internal("GET", "/internal/audit", "/internal/audit?app_id=" + NO_SUCH_ID, null).status())
                .isEqualTo(404);
    }

    @Test
    void encryptionWhenReportedThenTheAnswerMatches() {
        assertThat(internal("GET", "/internal/encryption", "/internal/encryption", null).status()).isEqualTo(200);
    }

    @Test
    void oauthWhenConnectedThroughALinkAndDisconnectedThenEveryAnswerMatches() throws Exception {
        TestApp app = newApp();
        String link = internal("POST", "/internal/apps/{app_id}/connect-link",
                "/internal/apps/" + app.id() + "/connect-link", null).json().path("connect_url").asText();
        Browser browser = new Browser(server.switchboard.port());
        String local = Browser.onPort(server.switchboard.port(), URI.create(link));

        HttpResponse<String> toDialpad = browser.get(local);
        assertBrowserAnswer("/auth/dialpad/connect", toDialpad);
        assertThat(toDialpad.statusCode()).isEqualTo(302);
        Browser.Consent consent = browser.consent(local);
        HttpResponse<String> connected = browser.get(consent.callback());
        assertBrowserAnswer("/auth/dialpad/callback", connected);
        assertThat(connected.statusCode()).isEqualTo(200);
        String disconnect = "/auth/dialpad/disconnect/" + app.id();
        internal("POST", "/auth/dialpad/disconnect/{app_id}", disconnect, null);

        assertThat(internal("POST", "/auth/dialpad/disconnect/{app_id}", disconnect, null).status()).isEqualTo(404);
        String base = "http://127.0.0.1:" + server.switchboard.port();
        Browser stranger = new Browser(server.switchboard.port());
        for (String connect : List.of("/auth/dialpad/connect", "/auth/dialpad/connect?app_id=nope",
                "/auth/dialpad/connect?app_id=" + NO_SUCH_ID + "&connect_token=x",
                "/auth/dialpad/connect?app_id=" + app.id() + "&connect_token="
                        + URLEncoder.encode("forged", StandardCharsets.UTF_8))) {
            assertBrowserAnswer("/auth/dialpad/connect", stranger.get(base + connect));
        }
        assertBrowserAnswer("/auth/dialpad/callback", stranger.get(base + "/auth/dialpad/callback"));
        assertBrowserAnswer("/auth/dialpad/callback", stranger.get(base + "/auth/dialpad/callback?state=forged"));
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void everyDocumentedOperationWhenTheTestsAboveRanThenHadAnAnswerValidated() {
        Set<String> reached = new TreeSet<>();
        documents.validated().forEach(entry -> {
            if (!entry.startsWith("EVENT ")) {
                reached.add(entry.substring(0, entry.lastIndexOf(' ')));
            }
        });

        assertThat(ApiDocuments.normalise(reached)).isEqualTo(documents.operations());
    }

    private static void assertBrowserAnswer(String path, HttpResponse<String> response) {
        documents.assertAnswer("GET", path, response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(""), response.body());
    }

    private static Delivery hook(String template, String path, String json, int expected) {
        Delivery delivery = SENDER.sendJwt(hookUri(path), Hs256Jwt.sign(json, SHARED_SECRET));
        documents.assertAnswer("POST", template, delivery.status(), "application/json", delivery.body());
        assertThat(delivery.status()).as(delivery.body()).isEqualTo(expected);
        return delivery;
    }

    private static URI hookUri(String path) {
        return URI.create("http://127.0.0.1:" + server.switchboard.port() + path);
    }

    /** An app created over the API, with its first key. */
    private static TestApp newApp() {
        JsonNode created = internal("POST", "/internal/apps", "/internal/apps",
                "{\"name\":\"described " + UUID.randomUUID() + "\"}").json();
        return new TestApp(UUID.fromString(created.path("app_id").asText()), created.path("api_key").asText());
    }

    private record TestApp(UUID id, String key) {
    }

    private static AdminServer.Response internal(String method, String template, String path, String json) {
        return check(method, template, path, json, Map.of("Authorization", "Bearer " + AdminServer.INTERNAL_SECRET));
    }

    private static AdminServer.Response api(TestApp app, String method, String template, String path) {
        return check(method, template, path, null, Map.of("x-app-api-key", app.key()));
    }

    /** Sends the request and validates its answer against the description of {@code method template}. */
    private static AdminServer.Response check(String method, String template, String path, String json,
                                              Map<String, String> headers) {
        AdminServer.Response response = server.exchange(method, path, json, headers);
        documents.assertAnswer(method, template, response.status(), response.contentType(), response.body());
        return response;
    }
}
