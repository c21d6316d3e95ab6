package dev.switchboard.core.webhook;

import java.util.Locale;
import java.util.Map;

/** What a received webhook event is about, recognised from its payload's fields. JSON/database names lowercase. */
public enum WebhookEventKind {
    CALL, SMS, UNKNOWN;

    /** The lowercase name. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named {@code name} (lowercase), or throws IllegalArgumentException. */
    public static WebhookEventKind fromJson(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /**
     * {@code CALL} when the payload has {@code call_id} and {@code state}; {@code SMS} when it has an {@code id}, a
     * {@code direction} and one of {@code text}, {@code text_content}, {@code to_number}, {@code from_number};
     * {@code UNKNOWN} otherwise. Looks at presence only; the event parsers check the values.
     */
    public static WebhookEventKind of(Map<String, Object> payload) {
        if (payload.get("call_id") != null && payload.get("state") != null) {
            return CALL;
        }
        boolean smsField = payload.containsKey("text") || payload.containsKey("text_content")
                || payload.containsKey("to_number") || payload.containsKey("from_number");
        if (payload.get("id") != null && payload.get("direction") != null && smsField) {
            return SMS;
        }
        return UNKNOWN;
    }
}
