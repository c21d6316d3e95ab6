package dev.switchboard.core.oauth;

import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.audit.AuditLog;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link ConnectionRefresher} for every due connection in the background, before the tokens expire, on every
 * instance at once without two of them ever refreshing one connection together. An embedder that schedules refreshes
 * itself skips this class and calls the {@link ConnectionRefresher}.
 *
 * <pre>{@code
 * TokenRefresher runner = TokenRefresher.create(store, dialpad, RefreshPolicy.defaults(), audit, clock, random,
 *         TokenRefresher.uniqueOwner("host"), TokenRefresher.Settings.defaults());
 * runner.start(); // threads from here on
 * ...
 * runner.close();
 * }</pre>
 *
 * <p>A scheduler thread claims due connections ({@link RefreshLeases#claimDue}) under the unique {@code owner}
 * and hands each to {@link Settings#concurrency()} workers. A claim never asks for more than there are free workers,
 * so a claimed lease never ages in a queue; when a claim fills them all, more may be due and the scheduler claims
 * again once a quarter of the pool is free, otherwise it waits {@link Settings#tickInterval()}. The lease
 * ({@link Settings#leaseDuration()}) is far longer than the adapter's call timeouts plus the write retries.
 *
 * <p>No thread exists before {@link #start()}: until then {@link #runOnce()} refreshes what it claims on the calling
 * thread. Decisions use the injected {@link Clock}; waiting between claims uses real time. Thread-safe;
 * {@link #start()} and {@link #close()} once each. Store failures while claiming are logged and retried at the next
 * tick.
 */
public final class TokenRefresher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TokenRefresher.class);
    /** The most connections one claim asks for, whatever the pool size. */
    private static final int MAX_CLAIM = 500;
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int CLOSED = 2;

    private final ConnectionRefresher refresher;
    private final RefreshLeases store;
    private final Clock clock;
    private final Settings settings;
    private final RefreshWorkers workers;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private volatile Thread scheduler;

    private TokenRefresher(ConnectionRefresher refresher, RefreshLeases store, Clock clock, Settings settings) {
        this.refresher = refresher;
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        this.workers = new RefreshWorkers(refresher, settings.concurrency(), () -> state.get() == CLOSED);
    }

    /**
     * A refresher that is not running yet. {@code owner} names this instance in leases and must be unique among
     * the instances sharing the store (e.g. {@link #uniqueOwner}); at most 150 characters.
     */
    public static TokenRefresher create(RefreshLeases store, DialpadAuthorizationServer server,
                                        RefreshPolicy policy, AuditLog audit, Clock clock, SecureRandom random,
                                        String owner, Settings settings) {
        Objects.requireNonNull(settings, "settings");
        return create(ConnectionRefresher.create(store, server, policy, audit, clock, random, owner,
                settings.refreshSettings()), store, clock, settings);
    }

    /**
     * A runner, not started, of {@code refresher}, claiming from {@code store} (the refresher's own store) for
     * the refresher's lease duration; the lease duration of {@code settings} is not used.
     */
    public static TokenRefresher create(ConnectionRefresher refresher, RefreshLeases store, Clock clock,
                                        Settings settings) {
        return new TokenRefresher(Objects.requireNonNull(refresher, "refresher"),
                Objects.requireNonNull(store, "store"), Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(settings, "settings"));
    }

    /** A fresh owner name for one instance: {@code prefix} (e.g. the host name) and a random UUID. */
    public static String uniqueOwner(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        String shortPrefix = prefix.length() > 100 ? prefix.substring(0, 100) : prefix;
        return (shortPrefix.isBlank() ? "refresher" : shortPrefix) + "-" + UUID.randomUUID();
    }

    /** The owner name this refresher leases under. */
    public String owner() {
        return refresher.owner();
    }

    /** The refresher of one connection this runner runs. */
    public ConnectionRefresher refresher() {
        return refresher;
    }

    /**
     * Starts the scheduler thread and the worker pool. Throws IllegalStateException when already started or closed.
     */
    public synchronized void start() {
        if (!state.compareAndSet(NEW, RUNNING)) {
            throw new IllegalStateException("a token refresher starts once");
        }
        workers.start();
        scheduler = RefreshWorkers.daemonThreads("token-refresh-scheduler").newThread(this::schedule);
        scheduler.start();
        LOG.atInfo().addKeyValue("owner", owner()).addKeyValue("concurrency", settings.concurrency())
                .log("token refresher started with {} concurrent refreshes", settings.concurrency());
    }

    /**
     * One claim round now, whether or not {@link #start()} was called: claims up to the free capacity of due
     * connections and hands them to the workers without waiting for them, or, before {@link #start()}, refreshes
     * them on the calling thread. Returns how many were claimed. Throws
     * {@link dev.switchboard.core.StoreUnavailableException} when the claim fails, and IllegalStateException once
     * closed.
     */
    public int runOnce() {
        if (state.get() == CLOSED) {
            throw new IllegalStateException("the token refresher is closed");
        }
        return dispatchDue().claimed();
    }

    /**
     * Refreshes one app's connection now on the calling thread, whatever its schedule; see
     * {@link ConnectionRefresher#refreshNow}.
     */
    public RefreshOutcome refreshNow(UUID appId) {
        return refresher.refreshNow(appId);
    }

    /**
     * Waits until no claimed refresh is queued or running, at most {@code timeout}; true when idle. For tests and
     * benchmarks.
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return workers.awaitIdle(timeout);
    }

    /** Counters since creation; cheap, for metrics and benchmarks. */
    public Snapshot snapshot() {
        ConnectionRefresher.Counts counts = refresher.counts();
        return new Snapshot(counts.refreshed(), counts.failed(), counts.needsReconnect(), counts.tokensLost(),
                counts.leasesLost(), counts.skipped(), counts.keptRefreshToken(), counts.inFlight(),
                counts.peakInFlight(), settings.concurrency());
    }

    /**
     * Stops claiming, lets queued refreshes release their leases unused, and waits up to
     * {@link Settings#shutdownGrace()} for the ones talking to Dialpad; those still running after that are
     * interrupted and their leases run out on their own. Idempotent.
     */
    @Override
    public synchronized void close() {
        int previous = state.getAndSet(CLOSED);
        if (previous != RUNNING) {
            return;
        }
        scheduler.interrupt();
        try {
            scheduler.join(settings.shutdownGrace().toMillis());
            workers.stop(settings.shutdownGrace(), owner());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.atInfo().addKeyValue("owner", owner()).log("token refresher stopped");
    }

    private void schedule() {
        int wakeBatch = Math.max(1, settings.concurrency() / 4);
        while (state.get() == RUNNING && !Thread.currentThread().isInterrupted()) {
            Round round;
            try {
                round = dispatchDue();
            } catch (SwitchboardException e) {
                LOG.atWarn().addKeyValue("owner", owner())
                        .log("could not claim connections due for refresh: {}", e.getMessage());
                round = new Round(0, 0);
            } catch (RuntimeException e) {
                LOG.error("unexpected failure while claiming connections due for refresh", e);
                round = new Round(0, 0);
            }
            try {
                if (round.limit() == 0 || round.claimed() == round.limit() && round.claimed() > 0) {
                    // the pool is full or more may be due: go again once a useful share of it is free
                    workers.awaitFree(wakeBatch, settings.tickInterval());
                } else {
                    Thread.sleep(settings.tickInterval().toMillis());
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Round dispatchDue() {
        int limit = workers.reserve(MAX_CLAIM);
        if (limit == 0) {
            return new Round(0, 0);
        }
        List<Connection> claimed;
        Instant now = clock.instant();
        // the refresher judges what is left of a lease by its own lease duration: claim with that one
        Duration lease = refresher.settings().leaseDuration();
        try {
            claimed = store.claimDue(now, lease, limit, owner());
        } catch (RuntimeException e) {
            workers.giveBack(limit);
            throw e;
        }
        workers.giveBack(limit - claimed.size());
        Instant leaseUntil = now.plus(lease);
        for (Connection connection : claimed) {
            workers.submit(connection, owner(), leaseUntil);
        }
        return new Round(claimed.size(), limit);
    }

    private record Round(int claimed, int limit) {
    }

    /**
     * How the refresher runs.
     *
     * @param concurrency        the most refreshes in flight at once on this instance (worker threads), 1 to 1000
     * @param tickInterval       how often to look for due connections when none were waiting
     * @param leaseDuration      how long a claim holds a connection; far longer than one refresh with its retries
     * @param shutdownGrace      how long {@link #close()} waits for refreshes in flight
     * @param storeWriteAttempts how many times to try storing rotated tokens, 1 to 20
     * @param storeRetryDelay    the first pause between those attempts, doubled each time
     */
    public record Settings(int concurrency, Duration tickInterval, Duration leaseDuration, Duration shutdownGrace,
                           int storeWriteAttempts, Duration storeRetryDelay) {
        /** Default number of concurrent refreshes. */
        public static final int DEFAULT_CONCURRENCY = 16;

        public Settings {
            Objects.requireNonNull(tickInterval, "tickInterval");
            Objects.requireNonNull(leaseDuration, "leaseDuration");
            Objects.requireNonNull(shutdownGrace, "shutdownGrace");
            Objects.requireNonNull(storeRetryDelay, "storeRetryDelay");
            if (concurrency < 1 || concurrency > 1000) {
                throw new IllegalArgumentException("refresh concurrency must be between 1 and 1000");
            }
            if (!isPositive(tickInterval) || !isPositive(leaseDuration) || shutdownGrace.isNegative()
                    || !isPositive(storeRetryDelay)) {
                throw new IllegalArgumentException("refresher intervals must be positive");
            }
            if (storeWriteAttempts < 1 || storeWriteAttempts > 20) {
                throw new IllegalArgumentException("store write attempts must be between 1 and 20");
            }
        }

        /** 16 concurrent refreshes, a tick every second, 2-minute leases, 10 s shutdown grace, 5 store attempts. */
        public static Settings defaults() {
            return new Settings(DEFAULT_CONCURRENCY, Duration.ofSeconds(1), Duration.ofMinutes(2),
                    Duration.ofSeconds(10), 5, Duration.ofMillis(200));
        }

        /** These settings with another concurrency. */
        public Settings withConcurrency(int newConcurrency) {
            return new Settings(newConcurrency, tickInterval, leaseDuration, shutdownGrace, storeWriteAttempts,
                    storeRetryDelay);
        }

        /** These settings with another tick interval. */
        public Settings withTickInterval(Duration newTickInterval) {
            return new Settings(concurrency, newTickInterval, leaseDuration, shutdownGrace, storeWriteAttempts,
                    storeRetryDelay);
        }

        /** The part of these settings that concerns refreshing one connection. */
        public ConnectionRefresher.Settings refreshSettings() {
            return new ConnectionRefresher.Settings(leaseDuration, storeWriteAttempts,
                    ConnectionRefresher.Settings.doubling(storeRetryDelay));
        }

        private static boolean isPositive(Duration duration) {
            return !duration.isNegative() && !duration.isZero();
        }
    }

    /**
     * Counters of one refresher since it was created: those of {@link ConnectionRefresher.Counts} (calls in flight
     * include {@link #refreshNow}) and the configured {@code concurrency}.
     */
    public record Snapshot(long refreshed, long failed, long needsReconnect, long tokensLost, long leasesLost,
                           long skipped, long keptRefreshToken, int inFlight, int peakInFlight, int concurrency) {
    }
}
