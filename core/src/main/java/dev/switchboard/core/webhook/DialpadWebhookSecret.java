package dev.switchboard.core.webhook;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** The secret of one Dialpad webhook, with which Dialpad signs its deliveries (HS256). Never printed. */
public record DialpadWebhookSecret(String value) {
    public DialpadWebhookSecret {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a webhook secret must not be empty");
        }
    }

    /** The secret's UTF-8 bytes, the HMAC key. */
    public byte[] bytes() {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "DialpadWebhookSecret[redacted]";
    }
}
