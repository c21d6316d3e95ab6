package dev.switchboard.core.webhook;

import java.util.Locale;

/** Where a received webhook event is in its processing. Database names lowercase. */
public enum WebhookEventStatus {
    /** Stored, not processed yet. */
    RECEIVED,
    /** Processed; never claimed again. */
    PROCESSED,
    /** Processing failed; claimed again once its next attempt is due. */
    FAILED;

    /** The lowercase name. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status named {@code name} (lowercase), or throws IllegalArgumentException. */
    public static WebhookEventStatus fromJson(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
