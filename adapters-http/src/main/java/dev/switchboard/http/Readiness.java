package dev.switchboard.http;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The answer of {@code GET /ready}: whether the database answers, within a bounded time. The check runs on a thread
 * of its own so that a pool waiting for a connection (up to its connection timeout) cannot hold a probe longer than
 * {@code timeout}; at most one check runs at a time, and probes arriving meanwhile wait for that one. Thread-safe;
 * {@link #close()} stops the checking thread.
 */
final class Readiness implements AutoCloseable {
    private final BooleanSupplier check;
    private final Duration timeout;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "switchboard-readiness");
        thread.setDaemon(true);
        return thread;
    });
    private CompletableFuture<Boolean> inFlight;

    Readiness(BooleanSupplier check, Duration timeout) {
        this.check = check;
        this.timeout = timeout;
    }

    /** True when the check answered true within the timeout. */
    boolean ready() {
        CompletableFuture<Boolean> running;
        synchronized (this) {
            if (inFlight == null || inFlight.isDone()) {
                inFlight = CompletableFuture.supplyAsync(check::getAsBoolean, executor);
            }
            running = inFlight;
        }
        try {
            return running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
