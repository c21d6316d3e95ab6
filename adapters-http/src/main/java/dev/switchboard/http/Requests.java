package dev.switchboard.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reading what the routes share from a request: ids, the client address, JSON bodies. Every malformed input becomes
 * a 4xx {@link Problem}, never a 500, and no message quotes what the client sent.
 */
final class Requests {
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final ObjectMapper MAPPER = HttpServer.objectMapper();

    private Requests() {
    }

    /**
     * The client address recorded in audit events. The one place that decides it, so that believing
     * {@code X-Forwarded-For} from trusted proxies ({@code TRUST_PROXY}) can be added here alone.
     */
    static Optional<String> clientIp(Context ctx) {
        return Optional.ofNullable(ClientAddress.of(ctx)).filter(ip -> !ip.isBlank());
    }

    /** The path parameter {@code app_id} as a UUID; 400 {@code invalid_app_id} otherwise. */
    static UUID appIdPath(Context ctx) {
        return uuid(ctx.pathParam("app_id"))
                .orElseThrow(() -> Problems.badRequest("invalid_app_id", "app_id must be a UUID."));
    }

    /** {@code value} as a UUID when it is one in canonical 8-4-4-4-12 form (any case); empty otherwise. */
    static Optional<UUID> uuid(String value) {
        if (value == null || !CANONICAL_UUID.matcher(value).matches()) {
            return Optional.empty();
        }
        return Optional.of(UUID.fromString(value));
    }

    /**
     * The body as a JSON object: 415 {@code unsupported_media_type} unless the content type is
     * {@code application/json}, 400 {@code invalid_json} unless the body is one JSON object.
     */
    static ObjectNode jsonObject(Context ctx) {
        String contentType = ctx.contentType();
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw Problems.unsupportedMediaType("application/json");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(ctx.bodyAsBytes());
        } catch (JsonProcessingException e) {
            throw Problems.badRequest("invalid_json", "The request body is not valid JSON.");
        } catch (java.io.IOException e) {
            throw Problems.badRequest("invalid_json", "The request body could not be read.");
        }
        if (node == null || !node.isObject()) {
            throw Problems.badRequest("invalid_json", "The request body must be a JSON object.");
        }
        return (ObjectNode) node;
    }
}
