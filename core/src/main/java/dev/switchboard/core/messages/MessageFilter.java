package dev.switchboard.core.messages;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which messages of one app to list. Every criterion is optional: direction, a creation-time range
 * ({@code createdFrom} inclusive, {@code createdTo} exclusive), the sender's number, one of the recipients'
 * numbers, the Dialpad user. {@code limit} 1 to {@link #MAX_LIMIT}, {@code offset} from 0. Newest first.
 */
public record MessageFilter(Optional<MessageDirection> direction, Optional<Instant> createdFrom,
                            Optional<Instant> createdTo, Optional<String> fromNumber, Optional<String> toNumber,
                            Optional<String> dialpadUserId, int limit, int offset) {
    /** Largest page. */
    public static final int MAX_LIMIT = 100;
    /** Page size when none is asked for. */
    public static final int DEFAULT_LIMIT = 50;

    public MessageFilter {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(createdFrom, "createdFrom");
        Objects.requireNonNull(createdTo, "createdTo");
        Objects.requireNonNull(fromNumber, "fromNumber");
        Objects.requireNonNull(toNumber, "toNumber");
        Objects.requireNonNull(dialpadUserId, "dialpadUserId");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative");
        }
    }

    /** Every message, first page of the default size. */
    public static MessageFilter all() {
        return new MessageFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), DEFAULT_LIMIT, 0);
    }
}
