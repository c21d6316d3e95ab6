package dev.switchboard.core.messages;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An SMS event to store as a message of one app.
 *
 * @param receivedAt the creation time used when the event carries none
 */
public record NewMessage(UUID appId, SmsEvent event, Instant receivedAt) {
    public NewMessage {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }
}
