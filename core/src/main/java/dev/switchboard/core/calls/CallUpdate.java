package dev.switchboard.core.calls;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/** A call after one event was folded into it, and what that changed. Immutable. */
public record CallUpdate(Call call, Set<CallChange> changes) {
    public CallUpdate {
        Objects.requireNonNull(call, "call");
        Objects.requireNonNull(changes, "changes");
        changes = changes.isEmpty()
                ? Collections.unmodifiableSet(EnumSet.noneOf(CallChange.class))
                : Collections.unmodifiableSet(EnumSet.copyOf(changes));
    }

    /** True when the event changed {@code change}. */
    public boolean has(CallChange change) {
        return changes.contains(change);
    }
}
