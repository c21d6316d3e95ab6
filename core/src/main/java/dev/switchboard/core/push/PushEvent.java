package dev.switchboard.core.push;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One real-time event for an app's WebSocket clients, such as a ringing call that should pop the CRM screen.
 *
 * @param id             unique id of this event; a socket that sees the same id twice drops the second
 * @param appId          the app whose sockets receive it; never delivered to another app
 * @param type           what happened (see {@link PushEventType})
 * @param occurredAt     when Switchboard produced it
 * @param targetCrmUser  the CRM user the Dialpad user is mapped to, when a mapping exists
 * @param data           the JSON-ready body (strings, numbers, booleans, nulls, lists and maps of those); never a
 *                       token or a key
 */
public record PushEvent(UUID id, UUID appId, PushEventType type, Instant occurredAt, Optional<String> targetCrmUser,
                        Map<String, Object> data) {
    public PushEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(targetCrmUser, "targetCrmUser");
        data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
    }
}
