package dev.switchboard.core.webhook;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link EventSignal} within one process that wakes one waiter per wake: {@link #wake()} leaves one pending
 * wake-up and releases one thread waiting in {@link #awaitNext(Duration)}; the first thread to take the pending
 * wake-up returns true, a wake with nobody waiting is taken by the next wait. Wakes that come before anyone took the
 * pending one merge into it: the thread that takes it claims after all of them, so it finds everything they announced.
 *
 * <p>One thread per wake, not all of them: every worker woken for an event runs a claim, and all but one would find
 * nothing (with four workers, three empty claims per stored batch). A worker that is busy does not take wake-ups, so
 * under load each new batch brings one more idle worker in, up to all of them. Thread-safe; waking costs a lock and
 * a condition signal.
 */
public final class LocalEventSignal implements EventSignal {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private boolean pending;

    private LocalEventSignal() {
    }

    /** A signal nobody has waited on yet. */
    public static LocalEventSignal create() {
        return new LocalEventSignal();
    }

    @Override
    public void wake() {
        lock.lock();
        try {
            pending = true;
            woken.signal();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean awaitNext(Duration max) throws InterruptedException {
        Objects.requireNonNull(max, "max");
        lock.lock();
        try {
            long remaining = Math.max(0, max.toNanos());
            while (!pending && remaining > 0) {
                remaining = woken.awaitNanos(remaining);
            }
            boolean taken = pending;
            pending = false;
            return taken;
        } finally {
            lock.unlock();
        }
    }
}
