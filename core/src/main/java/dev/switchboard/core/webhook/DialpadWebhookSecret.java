package dev.switchboard.core.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The secret of one Dialpad webhook, with which Dialpad signs its deliveries (HS256). Never printed.
 *
 * @param value         the secret
 * @param acceptedUntil empty for a webhook's current secret; for the secret a rotation replaced, the end of the
 *                      overlap after which a delivery signed with it is refused
 */
public record DialpadWebhookSecret(String value, Optional<Instant> acceptedUntil) {
    public DialpadWebhookSecret {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(acceptedUntil, "acceptedUntil");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a webhook secret must not be empty");
        }
    }

    /** A webhook's current secret. */
    public DialpadWebhookSecret(String value) {
        this(value, Optional.empty());
    }

    /** The secret's UTF-8 bytes, the HMAC key. */
    public byte[] bytes() {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a delivery signed with this secret is accepted at {@code now}: always, or before its end. */
    public boolean acceptedAt(Instant now) {
        return acceptedUntil.isEmpty() || now.isBefore(acceptedUntil.get());
    }

    @Override
    public String toString() {
        return "DialpadWebhookSecret[redacted]";
    }
}
