package dev.switchboard.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Waits for a condition that another thread, process or server makes true, polling it at a fixed interval until a
 * deadline. A test states what it waits for and how long it is willing to wait, instead of sleeping for a time it
 * hopes is enough: it goes on as soon as the condition holds, and the deadline only bounds a failure.
 *
 * <pre>{@code
 * int status = Await.atMost(Duration.ofSeconds(10)).until(() -> api("/api/calls", key).status(), s -> s == 401);
 * }</pre>
 *
 * <p>Immutable and thread-safe; each {@code until} runs on the calling thread.
 */
public final class Await {
    /** Poll interval when none is given: short next to a test's timeouts, long enough not to busy the machine. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(10);

    private final Duration timeout;
    private final Duration interval;

    private Await(Duration timeout, Duration interval) {
        this.timeout = timeout;
        this.interval = interval;
    }

    /** Waits at most {@code timeout}, polling every {@link #DEFAULT_INTERVAL}. */
    public static Await atMost(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("the timeout must not be negative");
        }
        return new Await(timeout, DEFAULT_INTERVAL);
    }

    /** The same wait, polling every {@code newInterval} (for probes that cost a request or a query). */
    public Await pollingEvery(Duration newInterval) {
        Objects.requireNonNull(newInterval, "newInterval");
        if (newInterval.isNegative() || newInterval.isZero()) {
            throw new IllegalArgumentException("the poll interval must be positive");
        }
        return new Await(timeout, newInterval);
    }

    /**
     * Calls {@code probe} until {@code done} accepts its value or the timeout has passed, and returns the last value:
     * the accepted one, or the one read at the deadline, which the caller's assertion then reports. An exception of
     * the probe or of {@code done} ends the wait and propagates.
     */
    public <T> T until(Probe<T> probe, Predicate<? super T> done) throws Exception {
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(done, "done");
        long deadline = System.nanoTime() + timeout.toNanos();
        T value = probe.get();
        while (!done.test(value) && System.nanoTime() - deadline < 0) {
            pause();
            value = probe.get();
        }
        return value;
    }

    /** Polls {@code condition} until it holds (true) or the timeout has passed (false). */
    public boolean until(Condition condition) throws Exception {
        Objects.requireNonNull(condition, "condition");
        return until(condition::holds, Boolean::booleanValue);
    }

    private void pause() throws InterruptedException {
        // the pace of the polling only: no outcome depends on how long this lasts
        TimeUnit.NANOSECONDS.sleep(interval.toNanos());
    }

    /** A reading of the state waited for, such as a status or a row count. */
    @FunctionalInterface
    public interface Probe<T> {
        /** Reads the state once. */
        T get() throws Exception;
    }

    /** A condition waited for. */
    @FunctionalInterface
    public interface Condition {
        /** True once the state waited for is reached. */
        boolean holds() throws Exception;
    }
}
