package dev.switchboard.core.messages;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Where SMS live, per app. Every method is scoped by app id. Thread-safe and shared by every instance; throws
 * {@link dev.switchboard.core.StoreUnavailableException} when the backing store fails (nothing written then).
 */
public interface MessageStore {
    /**
     * Stores the app's message unless one with the same Dialpad id is there. Concurrent inserts of one message
     * give exactly one {@link MessageInsert.Inserted}; the others get {@link MessageInsert.Duplicate}.
     *
     * @param receivedAt the creation time used when the event carries none
     */
    MessageInsert insert(UUID appId, SmsEvent event, Instant receivedAt);

    /** The app's message with Switchboard's id, or empty (also when it belongs to another app). */
    Optional<Message> find(UUID appId, UUID id);

    /** The app's message with this Dialpad id, or empty. */
    Optional<Message> findByDialpadId(UUID appId, String dialpadMessageId);

    /** The app's messages matching {@code filter}, newest first, with the total. */
    MessagePage list(UUID appId, MessageFilter filter);
}
