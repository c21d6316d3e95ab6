package dev.switchboard.core.audit;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Port that reads the audit trail back, for the audit export. Implementations are thread-safe and throw
 * {@link dev.switchboard.core.StoreUnavailableException} when the backing store cannot be reached.
 */
public interface AuditTrail {
    /** The most events one call returns. */
    int MAX_LIMIT = 10_000;

    /**
     * The events of one app that happened in {@code [since, until)}, oldest first (events at the same instant in the
     * order they were written), at most {@code limit} of them. A caller that gets {@code limit} events pages on with
     * {@code since} set to the last event's time and skips the events it already has at that instant.
     *
     * @throws IllegalArgumentException when {@code until} is before {@code since} or {@code limit} is not within
     *                                  1 to {@link #MAX_LIMIT}
     */
    List<AuditEvent> read(UUID appId, Instant since, Instant until, int limit);

    /**
     * As {@link #read}, over every app: the events of all apps and those about no app, in the same order and with
     * the same paging rule. Only for the administrative export, which may be asked for the whole trail.
     *
     * @throws IllegalArgumentException as {@link #read} does
     */
    List<AuditEvent> readAll(Instant since, Instant until, int limit);
}
