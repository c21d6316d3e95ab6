package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.switchboard.http.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The API description documents as a running server publishes them ({@code GET /openapi.json} and
 * {@code GET /asyncapi.json}), with the checks that keep the server and its description together: the documented
 * operations, the drift between them and the registered routes, and the validation of a real answer or a real
 * {@code /ws} message against its documented JSON Schema.
 *
 * <p>Answers are validated with a JSON Schema 2020-12 validator (the dialect of OpenAPI 3.1); the AsyncAPI payload
 * schemas are written in the subset that reads the same under draft 7 and 2020-12. Every validated
 * (operation, status) pair is remembered, so that a test can tell which documented answers it reached.
 * Thread-safe.
 */
final class ApiDocuments {
    /** Where the documents are registered for the validator; {@code $ref}s into them are resolved from here. */
    private static final String BASE = "https://switchboard.test/";
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{[^}/]*}");
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head",
            "patch", "trace");
    private static final ObjectMapper JSON = new ObjectMapper();

    final String openApiText;
    final String asyncApiText;
    final JsonNode openApi;
    final JsonNode asyncApi;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
    private final Set<String> validated = ConcurrentHashMap.newKeySet();

    private ApiDocuments(String openApiText, String asyncApiText) throws IOException {
        this.openApiText = openApiText;
        this.asyncApiText = asyncApiText;
        this.openApi = JSON.readTree(openApiText);
        this.asyncApi = JSON.readTree(asyncApiText);
        this.registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                builder -> builder.schemas(Map.of(BASE + "openapi.json", openApiText,
                        BASE + "asyncapi.json", asyncApiText)));
    }

    /** Both documents as the server on {@code port} serves them (200 and JSON, or the test fails). */
    static ApiDocuments fetch(int port) throws Exception {
        return new ApiDocuments(get(port, "/openapi.json").body(), get(port, "/asyncapi.json").body());
    }

    /** Both documents as the server serves them, read from the HTTP adapter's resources: no server needed. */
    static ApiDocuments fromResources() throws IOException {
        return new ApiDocuments(resource("openapi.json"), resource("asyncapi.json"));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = HttpServer.class.getResourceAsStream(name)) {
            assertThat(in).as("resource %s next to HttpServer", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** An unauthenticated GET of {@code path}. */
    static HttpResponse<String> get(int port, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
        return response;
    }

    /** Every documented operation as {@code "METHOD /path"}, path parameters normalised to {@code {}}. */
    Set<String> operations() {
        Set<String> operations = new TreeSet<>();
        openApi.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(key -> {
            if (HTTP_METHODS.contains(key)) {
                operations.add(key.toUpperCase(Locale.ROOT) + " " + normalise(path.getKey()));
            }
        }));
        return operations;
    }

    /** {@code "METHOD /path/{name}"} routes with every path parameter written {@code {}}, whatever its name. */
    static Set<String> normalise(Collection<String> routes) {
        return routes.stream().map(route -> {
            int space = route.indexOf(' ');
            return route.substring(0, space).toUpperCase(Locale.ROOT) + " " + normalise(route.substring(space + 1));
        }).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String normalise(String path) {
        return PATH_PARAMETER.matcher(path).replaceAll("{}");
    }

    /** What differs between the routes a server registered and the operations this description documents. */
    record Drift(Set<String> undocumented, Set<String> notServed) {
        boolean none() {
            return undocumented.isEmpty() && notServed.isEmpty();
        }
    }

    /** The drift of {@code registered} (as {@link dev.switchboard.http.HttpServer#httpRoutes()} lists them). */
    Drift drift(Collection<String> registered) {
        Set<String> served = normalise(registered);
        Set<String> documented = operations();
        Set<String> undocumented = new TreeSet<>(served);
        undocumented.removeAll(documented);
        Set<String> notServed = new TreeSet<>(documented);
        notServed.removeAll(served);
        return new Drift(undocumented, notServed);
    }

    /**
     * Fails unless {@code body} is valid against the schema the description gives for {@code status} of
     * {@code method path} (the documented path template, e.g. {@code /api/calls/{id}}) in {@code contentType}; an
     * answer whose status or content type the operation does not document fails too. Answers that are not JSON
     * (Prometheus text, CSV, NDJSON) are checked for their status and content type only.
     */
    void assertAnswer(String method, String path, int status, String contentType, String body) {
        String operation = method.toUpperCase(Locale.ROOT) + " " + path;
        JsonNode response = openApi.path("paths").path(path).path(method.toLowerCase(Locale.ROOT))
                .path("responses").path(Integer.toString(status));
        if (response.isMissingNode()) {
            fail("%s answered %d, which the description does not document: %s", operation, status, body);
        }
        response = resolve(response);
        if (!response.has("content")) {
            // a redirect: documented without a body, and it must have none
            assertThat(body).as("%s %d has no documented body", operation, status).isEmpty();
            validated.add(operation + " " + status);
            return;
        }
        String mediaType = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        JsonNode schema = response.path("content").path(mediaType).path("schema");
        if (schema.isMissingNode()) {
            fail("%s %d answered %s, which the description does not document", operation, status, mediaType);
        }
        if (mediaType.equals("application/json")) {
            List<Error> errors = schema("openapi.json", schema).validate(body, InputFormat.JSON);
            assertThat(errors).as("%s %d: %s", operation, status, body).isEmpty();
        }
        validated.add(operation + " " + status);
    }

    /** Fails unless {@code message}, a {@code /ws} message or delivery body, matches the AsyncAPI schema of its type. */
    void assertEvent(String message) throws IOException {
        String type = JSON.readTree(message).path("type").asText();
        JsonNode payload = null;
        for (JsonNode candidate : asyncApi.path("components").path("messages")) {
            if (candidate.path("name").asText().equals(type)) {
                payload = candidate.path("payload");
                break;
            }
        }
        assertThat(payload).as("the AsyncAPI document has no message named %s", type).isNotNull();
        List<Error> errors = schema("asyncapi.json", payload).validate(message, InputFormat.JSON);
        assertThat(errors).as("%s: %s", type, message).isEmpty();
        validated.add("EVENT " + type);
    }

    /** Every {@code "METHOD /path status"} (and {@code "EVENT type"}) validated so far. */
    Set<String> validated() {
        return new TreeSet<>(validated);
    }

    /** A schema node of {@code document}, its local {@code $ref}s made absolute so that they resolve there. */
    private Schema schema(String document, JsonNode node) {
        String text = node.toString().replace("\"$ref\":\"#/", "\"$ref\":\"" + BASE + document + "#/");
        return schemas.computeIfAbsent(text, json -> registry.getSchema(json, InputFormat.JSON));
    }

    /** {@code node}, or what its local {@code $ref} points at in the OpenAPI document. */
    JsonNode resolve(JsonNode node) {
        return resolve(openApi, node);
    }

    /** {@code node}, or what its local {@code $ref} points at in {@code document} (a missing node if nothing). */
    static JsonNode resolve(JsonNode document, JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref == null || !ref.isTextual()) {
            return node;
        }
        String pointer = ref.textValue();
        return pointer.startsWith("#") ? document.at(pointer.substring(1)) : com.fasterxml.jackson.databind.node
                .MissingNode.getInstance();
    }

    /** Every {@code $ref} in {@code document} that does not point at a node of it. */
    static Set<String> brokenReferences(JsonNode document) {
        Set<String> broken = new TreeSet<>();
        collectBroken(document, document, broken);
        return broken;
    }

    private static void collectBroken(JsonNode document, JsonNode node, Set<String> broken) {
        if (node.isObject() && node.has("$ref") && resolve(document, node).isMissingNode()) {
            broken.add(node.get("$ref").asText());
        }
        for (Iterator<JsonNode> children = node.elements(); children.hasNext(); ) {
            collectBroken(document, children.next(), broken);
        }
    }
}
