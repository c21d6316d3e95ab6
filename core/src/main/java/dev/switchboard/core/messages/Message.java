package dev.switchboard.core.messages;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One SMS of one app. {@code (appId, dialpadMessageId)} is unique; {@code id} is Switchboard's own id.
 *
 * @param createdAt when Dialpad says the message was created, else when Switchboard received it
 */
public record Message(UUID id, UUID appId, String dialpadMessageId, MessageDirection direction,
                      Optional<String> fromNumber, List<String> toNumbers, Optional<String> text,
                      Optional<String> dialpadUserId, Instant createdAt) {
    public Message {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(dialpadMessageId, "dialpadMessageId");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(fromNumber, "fromNumber");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(dialpadUserId, "dialpadUserId");
        Objects.requireNonNull(createdAt, "createdAt");
        toNumbers = List.copyOf(toNumbers);
    }
}
