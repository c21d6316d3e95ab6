package dev.switchboard.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppStore;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Reading what the routes share from a request: ids in paths and queries, the client address, JSON bodies,
 * pagination. Every malformed input becomes a 4xx {@link Problem}, never a 500, and no message quotes what the client
 * sent (it may be anything, and messages end up in logs).
 */
final class Requests {
    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final ObjectMapper MAPPER = HttpServer.objectMapper();

    /** Page size when {@code limit} is absent, and the largest one accepted (the data API's). */
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;

    private Requests() {
    }

    /**
     * The client address recorded in audit events. The one place that decides it, so that believing
     * {@code X-Forwarded-For} from trusted proxies ({@code TRUST_PROXY}) can be added here alone.
     */
    static Optional<String> clientIp(Context ctx) {
        return Optional.ofNullable(ClientAddress.of(ctx)).filter(ip -> !ip.isBlank());
    }

    /** Path parameter {@code name} as a UUID; 400 {@code code} otherwise. */
    static UUID uuidPath(Context ctx, String name, String code) {
        return uuid(ctx.pathParam(name)).orElseThrow(() -> Problems.badRequest(code, name + " must be a UUID."));
    }

    /** The path parameter {@code app_id} as a UUID; 400 {@code invalid_app_id} otherwise. */
    static UUID appIdPath(Context ctx) {
        return uuidPath(ctx, "app_id", "invalid_app_id");
    }

    /** Query parameter {@code name} as a UUID, empty when absent; 400 {@code code} when present but not a UUID. */
    static Optional<UUID> uuidQuery(Context ctx, String name, String code) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return Optional.empty();
        }
        return Optional.of(uuid(value).orElseThrow(() -> Problems.badRequest(code, name + " must be a UUID.")));
    }

    /** {@code value} as a UUID when in canonical 8-4-4-4-12 form (any case); empty otherwise. */
    static Optional<UUID> uuid(String value) {
        if (value == null || !CANONICAL_UUID.matcher(value).matches()) {
            return Optional.empty();
        }
        return Optional.of(UUID.fromString(value));
    }

    /** The path's {@code app_id}: 400 {@code invalid_app_id} when not a UUID, 404 {@code app_not_found} when unknown. */
    static App existingApp(Context ctx, AppStore apps) {
        return apps.find(appIdPath(ctx)).orElseThrow(Requests::appNotFound);
    }

    static Problem appNotFound() {
        return Problems.notFound("app_not_found", "No app has this app_id.");
    }

    /**
     * The body as one JSON object: 415 {@code unsupported_media_type} unless the content type is
     * {@code application/json}, 400 {@code invalid_json} unless the body parses as exactly one JSON object.
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
        } catch (IOException e) {
            throw Problems.badRequest("invalid_json", "The request body could not be read.");
        }
        if (node == null || !node.isObject()) {
            throw Problems.badRequest("invalid_json", "The request body must be a JSON object.");
        }
        return (ObjectNode) node;
    }

    /** Query parameter {@code limit}: 1 to {@link #MAX_LIMIT}, {@link #DEFAULT_LIMIT} when absent; 400 otherwise. */
    static int limit(Context ctx) {
        return intQuery(ctx, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, "invalid_limit",
                "limit must be a whole number from 1 to " + MAX_LIMIT + ".");
    }

    /** Query parameter {@code offset}: 0 or more, 0 when absent; 400 otherwise. */
    static int offset(Context ctx) {
        return intQuery(ctx, "offset", 0, 0, Integer.MAX_VALUE, "invalid_offset",
                "offset must be a whole number of 0 or more.");
    }

    private static int intQuery(Context ctx, String name, int absent, int min, int max, String code, String message) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return absent;
        }
        if (value.isEmpty() || value.length() > 10 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw Problems.badRequest(code, message);
        }
        long parsed = Long.parseLong(value);
        if (parsed < min || parsed > max) {
            throw Problems.badRequest(code, message);
        }
        return (int) parsed;
    }
}
