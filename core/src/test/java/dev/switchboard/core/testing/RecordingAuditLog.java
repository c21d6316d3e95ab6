package dev.switchboard.core.testing;

import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditLog;
import dev.switchboard.core.audit.AuditTrail;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * In-memory {@link AuditLog} that keeps what it is given, and the {@link AuditTrail} that reads it back with the
 * port's contract (half-open range, oldest first, ties in the order written, at most {@code limit}). Usage:
 * {@code assertThat(audit.events()).extracting(AuditEvent::type).contains(AuditEventType.APP_CREATED)}. Thread-safe.
 */
public final class RecordingAuditLog implements AuditLog, AuditTrail {
    private final List<AuditEvent> events = new ArrayList<>();
    private int reads;

    @Override
    public synchronized void record(AuditEvent event) {
        events.add(event);
    }

    /** Every event recorded, in the order written. */
    public synchronized List<AuditEvent> events() {
        return List.copyOf(events);
    }

    /** How many times the trail was read. */
    public synchronized int reads() {
        return reads;
    }

    @Override
    public List<AuditEvent> read(UUID appId, Instant since, Instant until, int limit) {
        return select(Optional.of(appId), since, until, limit);
    }

    @Override
    public List<AuditEvent> readAll(Instant since, Instant until, int limit) {
        return select(Optional.empty(), since, until, limit);
    }

    private synchronized List<AuditEvent> select(Optional<UUID> appId, Instant since, Instant until, int limit) {
        if (until.isBefore(since) || limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("until must not be before since, and limit within 1 to " + MAX_LIMIT);
        }
        reads++;
        return events.stream()
                .filter(e -> appId.isEmpty() || e.appId().equals(appId))
                .filter(e -> !e.at().isBefore(since) && e.at().isBefore(until))
                .sorted(Comparator.comparing(AuditEvent::at))
                .limit(limit)
                .toList();
    }
}
