package dev.switchboard.core.testing;

import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditLog;
import java.util.ArrayList;
import java.util.List;

/** A fake {@link AuditLog} that keeps what it is given. */
public final class RecordingAuditLog implements AuditLog {
    private final List<AuditEvent> events = new ArrayList<>();

    @Override
    public synchronized void record(AuditEvent event) {
        events.add(event);
    }

    public synchronized List<AuditEvent> events() {
        return List.copyOf(events);
    }
}
