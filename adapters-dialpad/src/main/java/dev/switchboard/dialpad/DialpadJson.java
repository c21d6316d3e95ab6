package dev.switchboard.dialpad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.json.JsonCodec;
import java.util.Optional;

/** Reads Dialpad's JSON answers field by field, without trusting their shape. Thread-safe. */
final class DialpadJson {
    static final ObjectMapper MAPPER = JsonCodec.mapper();

    private DialpadJson() {
    }

    /** The body as a JSON object, or empty when it is not one (HTML error page, array, garbage, nothing). */
    static Optional<ObjectNode> object(String body) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            return node instanceof ObjectNode object ? Optional.of(object) : Optional.empty();
        } catch (JsonProcessingException notJson) {
            return Optional.empty();
        }
    }

    /** The field when it is a JSON string, else null. */
    static String text(ObjectNode object, String field) {
        JsonNode value = object.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /**
     * The field as a whole number: a JSON integer, or a string of digits (with an optional minus) that fits a long;
     * null for anything else, which the token check then reports as missing.
     */
    static Long wholeNumber(ObjectNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null) {
            return null;
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return value.asLong();
        }
        if (value.isTextual() && value.asText().strip().matches("-?[0-9]{1,18}")) {
            return Long.parseLong(value.asText().strip());
        }
        return null;
    }

    /** An id Dialpad sends as a number or a string, as text; null when absent, blank or of another type. */
    static String id(ObjectNode object, String field) {
        JsonNode value = object.get(field);
        if (value == null) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return value.bigIntegerValue().toString();
        }
        if (value.isTextual() && !value.asText().isBlank()) {
            return value.asText().strip();
        }
        return null;
    }
}
