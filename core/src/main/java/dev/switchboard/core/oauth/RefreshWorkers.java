package dev.switchboard.core.oauth;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker pool of a {@link TokenRefresher}: a bounded number of claimed connections refreshed at once, their
 * free capacity, and how many are still queued or running. The pool's threads exist only after {@link #start()};
 * before it, claimed connections are refreshed on the thread that hands them over. Thread-safe.
 */
final class RefreshWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(TokenRefresher.class);

    private final ConnectionRefresher refresher;
    private final int concurrency;
    private final BooleanSupplier closing;
    private final Semaphore capacity;
    private final ReentrantLock idleLock = new ReentrantLock();
    private final Condition idle = idleLock.newCondition();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile ThreadPoolExecutor pool;

    RefreshWorkers(ConnectionRefresher refresher, int concurrency, BooleanSupplier closing) {
        this.refresher = refresher;
        this.concurrency = concurrency;
        this.closing = closing;
        this.capacity = new Semaphore(concurrency);
    }

    /** Creates the pool's threads on demand from now on. */
    void start() {
        ThreadPoolExecutor threads = new ThreadPoolExecutor(concurrency, concurrency, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("token-refresh-"));
        threads.allowCoreThreadTimeOut(true);
        pool = threads;
    }

    /** Takes all free capacity, at most {@code max}; the caller gives back what it does not hand over. */
    int reserve(int max) {
        int free = capacity.drainPermits();
        int limit = Math.min(free, max);
        capacity.release(free - limit);
        return limit;
    }

    void giveBack(int unused) {
        capacity.release(unused);
    }

    /** Waits up to {@code max} until {@code share} workers are free; true when they are. */
    boolean awaitFree(int share, Duration max) throws InterruptedException {
        if (capacity.tryAcquire(share, max.toMillis(), TimeUnit.MILLISECONDS)) {
            capacity.release(share);
            return true;
        }
        return false;
    }

    /** Refreshes a connection claimed with capacity taken by {@link #reserve}. */
    void submit(Connection connection, String owner, Instant leaseUntil) {
        pending.incrementAndGet();
        Claimed one = new Claimed(connection, owner, leaseUntil);
        ThreadPoolExecutor threads = pool;
        if (threads == null) {
            one.run();
            return;
        }
        try {
            threads.execute(one);
        } catch (RejectedExecutionException e) {
            // closed between the claim and here: give the lease back at once
            one.run();
        }
    }

    /** True once nothing is queued or running, waiting at most {@code timeout}. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        idleLock.lock();
        try {
            // the condition counts down what is left of the timeout, so no clock is read here
            long left = timeout.toNanos();
            while (pending.get() > 0) {
                if (left <= 0) {
                    return false;
                }
                left = idle.awaitNanos(left);
            }
            return true;
        } finally {
            idleLock.unlock();
        }
    }

    /**
     * Lets queued refreshes release their leases unused and waits up to {@code grace} for the running ones; the
     * ones still running after that are interrupted.
     */
    void stop(Duration grace, String owner) throws InterruptedException {
        ThreadPoolExecutor threads = pool;
        if (threads == null) {
            return;
        }
        threads.shutdown();
        try {
            if (!threads.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                List<Runnable> neverRun = threads.shutdownNow();
                int inFlight = refresher.counts().inFlight();
                LOG.atWarn().addKeyValue("owner", owner).addKeyValue("in_flight", inFlight)
                        .log("token refresher closed with {} refreshes still running; their leases will run out",
                                inFlight);
                neverRun.forEach(Runnable::run);
            }
        } catch (InterruptedException e) {
            threads.shutdownNow().forEach(Runnable::run);
            throw e;
        }
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix.endsWith("-") ? prefix + count.incrementAndGet() : prefix);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One claimed connection waiting for a worker; releases its lease unused when the refresher is closing. */
    private final class Claimed implements Runnable {
        private final Connection connection;
        private final String owner;
        private final Instant leaseUntil;

        Claimed(Connection connection, String owner, Instant leaseUntil) {
            this.connection = connection;
            this.owner = owner;
            this.leaseUntil = leaseUntil;
        }

        @Override
        public void run() {
            try {
                if (closing.getAsBoolean()) {
                    refresher.releaseUnused(connection, owner);
                    return;
                }
                refresher.refreshLeased(connection, owner, leaseUntil);
            } catch (RuntimeException e) {
                LOG.atError().addKeyValue("app_id", connection.appId()).setCause(e)
                        .log("unexpected failure while refreshing app {}", connection.appId());
            } finally {
                capacity.release();
                if (pending.decrementAndGet() == 0) {
                    idleLock.lock();
                    try {
                        idle.signalAll();
                    } finally {
                        idleLock.unlock();
                    }
                }
            }
        }
    }
}
