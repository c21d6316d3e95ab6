package dev.switchboard.core.webhook;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link EventSignal} within one process: {@link #wake()} releases every thread waiting in
 * {@link #awaitNext(Duration)}, and a wake with nobody waiting is remembered by a generation counter so that the
 * next wait returns at once. Thread-safe; waking costs a lock and a condition signal.
 */
public final class LocalEventSignal implements EventSignal {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private long generation;
    private final ThreadLocal<long[]> seen = ThreadLocal.withInitial(() -> new long[] {-1});

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
            generation++;
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean awaitNext(Duration max) throws InterruptedException {
        Objects.requireNonNull(max, "max");
        long[] last = seen.get();
        lock.lock();
        try {
            // each thread remembers the last generation it returned on, so a wake between its waits is not lost
            if (last[0] >= 0 && generation != last[0]) {
                last[0] = generation;
                return true;
            }
            long start = generation;
            long remaining = Math.max(0, max.toNanos());
            while (generation == start && remaining > 0) {
                remaining = woken.awaitNanos(remaining);
            }
            last[0] = generation;
            return generation != start;
        } finally {
            lock.unlock();
        }
    }
}
