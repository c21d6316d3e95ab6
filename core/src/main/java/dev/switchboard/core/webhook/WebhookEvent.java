package dev.switchboard.core.webhook;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A stored webhook event and its processing state. {@code attempts} counts failed processing attempts;
 * {@code nextAttemptAt} is when it may be claimed (empty once processed). {@link #toString()} leaves the payload out.
 */
public record WebhookEvent(UUID id, Optional<UUID> appId, Optional<String> organisationId, WebhookEventKind kind,
                           DeduplicationKey deduplicationKey, String payload, WebhookEventStatus status, int attempts,
                           Optional<String> lastError, Instant receivedAt, Optional<Instant> nextAttemptAt,
                           Optional<Instant> processedAt) {
    public WebhookEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(organisationId, "organisationId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(deduplicationKey, "deduplicationKey");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(lastError, "lastError");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        Objects.requireNonNull(processedAt, "processedAt");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative");
        }
    }

    @Override
    public String toString() {
        return "WebhookEvent[id=" + id + ", appId=" + appId + ", kind=" + kind + ", key=" + deduplicationKey.value()
                + ", status=" + status + ", attempts=" + attempts + ", payload=" + payload.length() + " chars]";
    }

    /** {@code event} as stored with {@code id}: received, no attempt yet, due at once. */
    public static WebhookEvent received(UUID id, NewWebhookEvent event) {
        return new WebhookEvent(id, event.appId(), event.organisationId(), event.kind(), event.deduplicationKey(),
                event.payload(), WebhookEventStatus.RECEIVED, 0, Optional.empty(), event.receivedAt(),
                Optional.of(event.receivedAt()), Optional.empty());
    }
}
