package dev.switchboard.core.messages;

import java.util.Objects;

/** Outcome of storing an SMS: stored now, or already there (a redelivery). Neither is an error. */
public sealed interface MessageInsert {
    /** The message stored. */
    Message message();

    /** The message was new and is now stored. */
    record Inserted(Message message) implements MessageInsert {
        public Inserted {
            Objects.requireNonNull(message, "message");
        }
    }

    /** The app already had a message with this Dialpad id; {@code message} is the stored one, unchanged. */
    record Duplicate(Message message) implements MessageInsert {
        public Duplicate {
            Objects.requireNonNull(message, "message");
        }
    }
}
