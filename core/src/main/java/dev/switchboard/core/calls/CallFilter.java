package dev.switchboard.core.calls;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Which calls of one app to list: optional status and direction, an optional start-time range
 * ({@code startedFrom} inclusive, {@code startedTo} exclusive), and a page ({@code limit} 1 to
 * {@link #MAX_LIMIT}, {@code offset} from 0). Calls are listed newest start first.
 */
public record CallFilter(Optional<CallStatus> status, Optional<CallDirection> direction,
                         Optional<Instant> startedFrom, Optional<Instant> startedTo, int limit, int offset) {
    /** Largest page. */
    public static final int MAX_LIMIT = 100;
    /** Page size when none is asked for. */
    public static final int DEFAULT_LIMIT = 50;

    public CallFilter {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(startedFrom, "startedFrom");
        Objects.requireNonNull(startedTo, "startedTo");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative");
        }
    }

    /** Every call, first page of the default size. */
    public static CallFilter all() {
        return new CallFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                DEFAULT_LIMIT, 0);
    }
}
