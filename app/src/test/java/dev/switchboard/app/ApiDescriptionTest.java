package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.http.HttpServer;
import dev.switchboard.http.HttpSettings;
import dev.switchboard.http.RouteGroup;
import io.javalin.http.HandlerType;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API description documents of a real Switchboard (every adapter wired, real PostgreSQL, fake Dialpad): both
 * load without errors with real tooling, they are served without credentials with the edge headers, and the routes
 * the server registers are exactly the documented operations, which the fixture servers below show the check to
 * catch in both directions.
 */
class ApiDescriptionTest {
    /** Events the contract names that the document must describe, beyond those pushed today. */
    private static final List<String> CONNECTION_EVENTS = List.of("connection.connected",
            "connection.needs_reconnect", "connection.disconnected");

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
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setValidateInternalRefs(true);

        SwaggerParseResult result = new OpenAPIParser().readContents(documents.openApiText, null, options);

        assertThat(result.getMessages()).isEmpty();
        assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.1.");
        assertThat(result.getOpenAPI().getPaths()).containsKeys("/api/calls", "/internal/apps", "/ready");
        assertThat(result.getOpenAPI().getComponents().getSecuritySchemes())
                .containsKeys("appApiKey", "appBearer", "internalBearer", "dialpadLegacySignature");
        assertThat(result.getOpenAPI().getComponents().getSchemas().get("Error").getRequired())
                .containsExactly("error", "message");
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
}
