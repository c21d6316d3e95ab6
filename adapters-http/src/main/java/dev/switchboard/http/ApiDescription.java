package dev.switchboard.http;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * One of the API description documents, served as the file kept next to this class: {@code openapi.json} (OpenAPI
 * 3.1, every HTTP route) or {@code asyncapi.json} (AsyncAPI 3, {@code /ws} and endpoint deliveries).
 *
 * <p>The documents are maintained by hand rather than built from the route code: a reviewer reads the whole
 * description in one diff, and the tests keep it honest (every registered route is documented, every documented
 * route is served, and the answers of the HTTP tests match their schemas). Read once at start-up; thread-safe.
 */
final class ApiDescription {
    /** {@code GET /openapi.json}. */
    static final String OPENAPI_PATH = "/openapi.json";
    /** {@code GET /asyncapi.json}. */
    static final String ASYNCAPI_PATH = "/asyncapi.json";

    private final byte[] json;

    private ApiDescription(byte[] json) {
        this.json = json;
    }

    /** The OpenAPI document. */
    static ApiDescription openApi() {
        return load("openapi.json");
    }

    /** The AsyncAPI document. */
    static ApiDescription asyncApi() {
        return load("asyncapi.json");
    }

    private static ApiDescription load(String name) {
        try (InputStream in = ApiDescription.class.getResourceAsStream(name)) {
            Objects.requireNonNull(in, () -> "the API description " + name + " is missing from the build");
            return new ApiDescription(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the API description " + name, e);
        }
    }

    /** Answers 200 with the document; no credential is needed, as for any published description. */
    void serve(Context ctx) {
        ctx.contentType(ContentType.APPLICATION_JSON).result(json);
    }
}
