package dev.switchboard.core.audit;

/**
 * Port of the append-only audit trail. Implementations are thread-safe; a write that cannot be made throws
 * {@link dev.switchboard.core.StoreUnavailableException}. Nothing written here is ever updated or deleted.
 */
public interface AuditLog {
    /** Appends one event. */
    void record(AuditEvent event);
}
