package dev.switchboard.core.webhook;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Expires the events of organisations that no app connects. Such an event may hold an SMS body or a caller's number
 * and nobody is entitled to it: it is kept {@link #RETENTION} at most, long enough for a connection being set up
 * while Dialpad already sends (and the processor routes it when that connection existed at its arrival, see
 * {@link EventProcessor}), and then deleted. {@link #purge()} is one synchronous pass; the server runs it among its
 * {@link dev.switchboard.core.data.Retention} jobs, hourly on every instance (the store lets one instance at a time
 * do the work), which log what was deleted.
 *
 * <p>Usage: {@code UnroutedEventExpiry.create(store, clock).purge()}. Thread-safe.
 */
public final class UnroutedEventExpiry {
    /** How long an unrouted event is kept after it was received. */
    public static final Duration RETENTION = Duration.ofDays(7);

    private final UnroutedEvents events;
    private final Clock clock;

    private UnroutedEventExpiry(UnroutedEvents events, Clock clock) {
        this.events = events;
        this.clock = clock;
    }

    /** An expiry deleting from {@code events}, reading the time from {@code clock}. */
    public static UnroutedEventExpiry create(UnroutedEvents events, Clock clock) {
        return new UnroutedEventExpiry(Objects.requireNonNull(events, "events"), Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Deletes the unrouted events received more than {@link #RETENTION} ago and returns how many; 0 also when another
     * instance is purging at this moment. Throws {@link dev.switchboard.core.StoreUnavailableException} when the store
     * fails.
     */
    public int purge() {
        return events.deleteReceivedBefore(clock.instant().minus(RETENTION));
    }
}
