package dev.switchboard.persistence;

import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushEventType;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The JSON form of a {@link PushEvent} between instances (inside a NOTIFY payload or an outbox row): the event's
 * fields with the type's wire name and the instant in ISO-8601, so a decoded event equals the encoded one (numbers
 * in {@code data} come back as {@code Long} or {@code Double}). Stateless and thread-safe.
 */
final class PushEventCodec {
    private PushEventCodec() {
    }

    /**
     * The event as a JSON object. A {@code data} value JSON cannot express makes {@link #encode} throw
     * {@link dev.switchboard.core.json.JsonException}.
     */
    static Map<String, Object> toJsonObject(PushEvent event) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", event.id().toString());
        json.put("app_id", event.appId().toString());
        json.put("type", event.type().wireName());
        json.put("occurred_at", event.occurredAt().toString());
        json.put("target_crm_user", event.targetCrmUser().orElse(null));
        json.put("data", event.data());
        return json;
    }

    static String encode(PushEvent event) {
        return JsonCodec.write(toJsonObject(event));
    }

    /**
     * Reads an event written by {@link #toJsonObject}; IllegalArgumentException (JsonException included) when a
     * field is missing or of the wrong kind.
     */
    @SuppressWarnings("unchecked")
    static PushEvent fromJsonObject(Map<String, Object> json) {
        Object data = json.get("data");
        if (!(data instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("a push event needs a data object");
        }
        Object target = json.get("target_crm_user");
        return new PushEvent(UUID.fromString(text(json, "id")), UUID.fromString(text(json, "app_id")),
                type(text(json, "type")), Instant.parse(text(json, "occurred_at")),
                target instanceof String user ? Optional.of(user) : Optional.empty(), (Map<String, Object>) data);
    }

    static PushEvent decode(String text) {
        return fromJsonObject(JsonCodec.parseObject(text));
    }

    private static String text(Map<String, Object> json, String field) {
        if (json.get(field) instanceof String value) {
            return value;
        }
        throw new IllegalArgumentException("a push event needs the text field " + field);
    }

    private static PushEventType type(String wireName) {
        for (PushEventType type : PushEventType.values()) {
            if (type.wireName().equals(wireName)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown push event type");
    }
}
