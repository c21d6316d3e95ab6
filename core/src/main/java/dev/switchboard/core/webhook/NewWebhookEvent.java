package dev.switchboard.core.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A verified webhook event to store. {@code appId} empty means not routed yet (the shared endpoint could not tell
 * the app); {@code organisationId} is Dialpad's company id when known. {@link #toString()} shows the payload's size,
 * not its content (it may hold personal data).
 */
public record NewWebhookEvent(Optional<UUID> appId, Optional<String> organisationId, WebhookEventKind kind,
                              DeduplicationKey deduplicationKey, String payload, Instant receivedAt) {
    public NewWebhookEvent {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(organisationId, "organisationId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(deduplicationKey, "deduplicationKey");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(receivedAt, "receivedAt");
        if (organisationId.filter(o -> o.isBlank() || o.length() > 128).isPresent()) {
            throw new IllegalArgumentException("an organisation id has 1 to 128 characters");
        }
    }

    /** The event of a parsed payload and its raw bytes (UTF-8 JSON): kind and key derived from them. */
    public static NewWebhookEvent of(Optional<UUID> appId, Optional<String> organisationId,
                                     Map<String, Object> payload, byte[] raw, Instant receivedAt) {
        return new NewWebhookEvent(appId, organisationId, WebhookEventKind.of(payload),
                DeduplicationKey.of(payload, raw), new String(raw, StandardCharsets.UTF_8), receivedAt);
    }

    @Override
    public String toString() {
        return "NewWebhookEvent[appId=" + appId + ", organisationId=" + organisationId + ", kind=" + kind
                + ", key=" + deduplicationKey.value() + ", payload=" + payload.length() + " chars, receivedAt="
                + receivedAt + "]";
    }
}
