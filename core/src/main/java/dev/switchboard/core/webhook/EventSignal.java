package dev.switchboard.core.webhook;

import java.time.Duration;

/**
 * Port: the wake-up call between storing webhook events and processing them, so an event is processed right after
 * its 200 instead of at the next poll. A signal is only a hint: a waiter that wakes may find nothing due, and a lost
 * signal costs at most one poll interval (the processor always waits with a bound), never an event.
 *
 * <p>Implementations wake waiters in this process ({@link LocalEventSignal}) and may also carry the signal to the
 * other instances (PostgreSQL {@code LISTEN}/{@code NOTIFY} on channel {@code switchboard_events}). Thread-safe.
 */
public interface EventSignal {
    /** Says that events may be due now; never blocks and never throws. */
    void wake();

    /**
     * Waits until {@link #wake()} is called (here, or on another instance when the implementation carries it) or
     * {@code max} has passed, whichever comes first. A wake is taken by one waiting thread, not all of them, and a
     * wake with nobody waiting is kept for the next wait, so it is never lost; wakes that come before anyone took
     * the previous one may merge into it.
     *
     * @return true when woken, false when {@code max} passed
     * @throws InterruptedException when the waiting thread is interrupted (the processor is stopping)
     */
    boolean awaitNext(Duration max) throws InterruptedException;
}
