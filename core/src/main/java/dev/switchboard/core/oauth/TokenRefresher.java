package dev.switchboard.core.oauth;

import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes every connection's tokens in the background, before they expire (RFC 6749 section 6), on every instance
 * at once without two of them ever refreshing one connection together.
 *
 * <p>How it works:
 * <ul>
 *   <li>A scheduler thread claims due connections through {@link ConnectionStore#claimDue} under this refresher's
 *       unique {@code owner} name and hands each to a pool of {@link Settings#concurrency()} worker threads. A claim
 *       never asks for more connections than there are free workers, so a claimed lease never ages in a queue. When
 *       a claim fills every free worker more may be due, so the scheduler claims again as soon as a quarter of the
 *       pool is free; otherwise it waits {@link Settings#tickInterval()}.</li>
 *   <li>The lease is the only mutual exclusion: Dialpad rotates refresh tokens and answers the reuse of an old one
 *       with {@code invalid_grant}, so two concurrent refreshes of one connection would kill it. A worker does not
 *       call Dialpad unless at least half of its lease is left, and the lease
 *       ({@link Settings#leaseDuration()}, 2 minutes by default) is far longer than the adapter's call timeouts
 *       plus the write retries.</li>
 *   <li>Success: the rotated refresh token and the new access token are written together by
 *       {@link ConnectionStore#recordRefreshed}, next attempt at {@link RefreshPolicy#dueAt}. Should that write fail
 *       after Dialpad rotated the token, it is retried {@link Settings#storeWriteAttempts()} times with doubling
 *       delays, since a lost rotated token means a lost connection; if all fail an error is logged (never the
 *       token). Audited {@code oauth_refreshed}, logged at INFO.</li>
 *   <li>A successful answer without a new {@code refresh_token}: the current refresh token stays valid and is kept
 *       (RFC 6749 section 6: the server MAY issue a new one). Dialpad rotates refresh tokens, so such an answer is
 *       worth knowing about: it is counted ({@link Snapshot#keptRefreshToken()}) and logged as a warning once per
 *       connection (per app and connection time) on this instance, never with a token.</li>
 *   <li>{@code invalid_grant}: the connection is marked as needing a reconnect (never deleted) and no longer
 *       claimed; audited {@code oauth_needs_reconnect}, logged at WARN ("needs reconnect").</li>
 *   <li>Any other refusal, Dialpad unavailable, or an unusable token response: the failure is recorded with the
 *       policy's jittered exponential backoff; audited {@code oauth_refresh_failed}, logged at WARN.</li>
 * </ul>
 *
 * <p>Log lines and audit events carry the app id, the organisation id, expiry times and error codes; never a token.
 * Decisions use the injected {@link Clock}; waiting between claims uses real time.
 *
 * <p>Thread-safe. {@link #start()} once, {@link #close()} once; {@link #runOnce()} and {@link #refreshNow} may be
 * called from any thread. Store failures while claiming are logged and retried at the next tick; every refresh
 * ends in a {@link RefreshOutcome}.
 */
public final class TokenRefresher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TokenRefresher.class);
    private static final String ACTOR = "system";
    private static final String UNAVAILABLE = "unavailable";
    /** The most connections one claim asks for, whatever the pool size. */
    private static final int MAX_CLAIM = 500;
    /** Connections remembered as warned about a kept refresh token; past it the memory starts again. */
    private static final int MAX_WARNED = 10_000;

    private final ConnectionStore store;
    private final DialpadAuthorizationServer server;
    private final RefreshPolicy policy;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random;
    private final String owner;
    private final Settings settings;

    private final Semaphore capacity;
    private final ThreadPoolExecutor workers;
    private final Thread scheduler;
    private final Object idle = new Object();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final AtomicLong refreshNowCounter = new AtomicLong();
    private final AtomicLong refreshed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong needsReconnect = new AtomicLong();
    private final AtomicLong tokensLost = new AtomicLong();
    private final AtomicLong leasesLost = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong keptRefreshToken = new AtomicLong();
    /** The connections (app and connection time) already warned about a refresh answer without a refresh token. */
    private final Set<String> warnedKeptRefreshToken = ConcurrentHashMap.newKeySet();
    private final AtomicInteger state = new AtomicInteger(NEW);

    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int CLOSED = 2;

    private TokenRefresher(ConnectionStore store, DialpadAuthorizationServer server, RefreshPolicy policy,
                           AuditLog audit, Clock clock, SecureRandom random, String owner, Settings settings) {
        this.store = store;
        this.server = server;
        this.policy = policy;
        this.audit = audit;
        this.clock = clock;
        this.random = random;
        this.owner = owner;
        this.settings = settings;
        this.capacity = new Semaphore(settings.concurrency());
        this.workers = new ThreadPoolExecutor(settings.concurrency(), settings.concurrency(), 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), daemonThreads("token-refresh-"));
        this.workers.allowCoreThreadTimeOut(true);
        this.scheduler = daemonThreads("token-refresh-scheduler").newThread(this::schedule);
    }

    /**
     * A refresher that is not running yet. {@code owner} names this instance in leases and must be unique among
     * the instances sharing the store (e.g. host name plus a random UUID); at most 150 characters, since one-off
     * {@link #refreshNow} leases append to it.
     */
    public static TokenRefresher create(ConnectionStore store, DialpadAuthorizationServer server,
                                        RefreshPolicy policy, AuditLog audit, Clock clock, SecureRandom random,
                                        String owner, Settings settings) {
        Objects.requireNonNull(owner, "owner");
        if (owner.isBlank() || owner.length() > 150) {
            throw new IllegalArgumentException("a refresher owner must have 1 to 150 characters");
        }
        return new TokenRefresher(Objects.requireNonNull(store, "store"), Objects.requireNonNull(server, "server"),
                Objects.requireNonNull(policy, "policy"), Objects.requireNonNull(audit, "audit"),
                Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(random, "random"), owner,
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
        return owner;
    }

    /** Starts the background scheduler. Throws IllegalStateException when already started or closed. */
    public void start() {
        if (!state.compareAndSet(NEW, RUNNING)) {
            throw new IllegalStateException("a token refresher starts once");
        }
        scheduler.start();
        LOG.atInfo().addKeyValue("owner", owner).addKeyValue("concurrency", settings.concurrency())
                .log("token refresher started with {} concurrent refreshes", settings.concurrency());
    }

    /**
     * One claim round now, whether or not {@link #start()} was called: claims up to the free capacity of due
     * connections and hands them to the workers, without waiting for them. Returns how many were claimed. Throws
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
     * Refreshes one app's connection now, whatever its schedule, on the calling thread (an operator's action or a
     * test). It takes its own one-off lease through {@link ConnectionStore#tryLease}, so it never overlaps a
     * background refresh of the same connection on any instance: then it answers {@link RefreshOutcome.Busy}. A
     * connection already needing a reconnect is not sent to Dialpad again. Throws
     * {@link dev.switchboard.core.StoreUnavailableException} when the lease cannot be taken.
     */
    public RefreshOutcome refreshNow(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        String oneOff = owner + ":now:" + refreshNowCounter.incrementAndGet();
        Instant now = clock.instant();
        Optional<Connection> leased = store.tryLease(appId, oneOff, now, settings.leaseDuration());
        if (leased.isEmpty()) {
            return store.findSummary(appId).isPresent()
                    ? new RefreshOutcome.Busy(appId)
                    : new RefreshOutcome.NotConnected(appId);
        }
        Connection connection = leased.get();
        if (connection.health().needsReconnect()) {
            releaseQuietly(appId, oneOff);
            return new RefreshOutcome.NeedsReconnect(appId);
        }
        return refreshLeased(connection, oneOff, now.plus(settings.leaseDuration()));
    }

    /**
     * Waits until no claimed refresh is queued or running, at most {@code timeout}; true when idle. For tests and
     * benchmarks.
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (pending.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
        }
        return true;
    }

    /** Counters since creation; cheap, for metrics and benchmarks. */
    public Snapshot snapshot() {
        return new Snapshot(refreshed.get(), failed.get(), needsReconnect.get(), tokensLost.get(), leasesLost.get(),
                skipped.get(), keptRefreshToken.get(), inFlight.get(), peakInFlight.get(), settings.concurrency());
    }

    /**
     * Stops claiming, lets queued refreshes release their leases unused, and waits up to
     * {@link Settings#shutdownGrace()} for the ones talking to Dialpad; those still running after that are
     * interrupted and their leases run out on their own. Idempotent.
     */
    @Override
    public void close() {
        int previous = state.getAndSet(CLOSED);
        if (previous == CLOSED) {
            return;
        }
        if (previous == RUNNING) {
            scheduler.interrupt();
        }
        workers.shutdown();
        try {
            if (previous == RUNNING) {
                scheduler.join(settings.shutdownGrace().toMillis());
            }
            if (!workers.awaitTermination(settings.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                List<Runnable> neverRun = workers.shutdownNow();
                LOG.atWarn().addKeyValue("owner", owner).addKeyValue("in_flight", inFlight.get())
                        .log("token refresher closed with {} refreshes still running; their leases will run out",
                                inFlight.get());
                neverRun.forEach(Runnable::run);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow().forEach(Runnable::run);
        }
        LOG.atInfo().addKeyValue("owner", owner).log("token refresher stopped");
    }

    private void schedule() {
        int wakeBatch = Math.max(1, settings.concurrency() / 4);
        while (state.get() == RUNNING && !Thread.currentThread().isInterrupted()) {
            Round round;
            try {
                round = dispatchDue();
            } catch (SwitchboardException e) {
                LOG.atWarn().addKeyValue("owner", owner)
                        .log("could not claim connections due for refresh: {}", e.getMessage());
                round = new Round(0, 0);
            } catch (RuntimeException e) {
                LOG.error("unexpected failure while claiming connections due for refresh", e);
                round = new Round(0, 0);
            }
            try {
                if (round.limit() == 0 || round.claimed() == round.limit() && round.claimed() > 0) {
                    // the pool is full or more may be due: go again once a useful share of it is free
                    if (capacity.tryAcquire(wakeBatch, settings.tickInterval().toMillis(), TimeUnit.MILLISECONDS)) {
                        capacity.release(wakeBatch);
                    }
                } else {
                    Thread.sleep(settings.tickInterval().toMillis());
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private Round dispatchDue() {
        int free = capacity.drainPermits();
        if (free == 0) {
            return new Round(0, 0);
        }
        int limit = Math.min(free, MAX_CLAIM);
        capacity.release(free - limit);
        List<Connection> claimed;
        Instant now = clock.instant();
        try {
            claimed = store.claimDue(now, settings.leaseDuration(), limit, owner);
        } catch (RuntimeException e) {
            capacity.release(limit);
            throw e;
        }
        capacity.release(limit - claimed.size());
        Instant leaseUntil = now.plus(settings.leaseDuration());
        for (Connection connection : claimed) {
            pending.incrementAndGet();
            try {
                workers.execute(new Claimed(connection, leaseUntil));
            } catch (RejectedExecutionException e) {
                // closed between the claim and here: give the lease back at once
                new Claimed(connection, leaseUntil).run();
            }
        }
        return new Round(claimed.size(), limit);
    }

    /** One claimed connection waiting for a worker; releases its lease unused when the refresher is closing. */
    private final class Claimed implements Runnable {
        private final Connection connection;
        private final Instant leaseUntil;

        Claimed(Connection connection, Instant leaseUntil) {
            this.connection = connection;
            this.leaseUntil = leaseUntil;
        }

        @Override
        public void run() {
            try {
                if (state.get() == CLOSED) {
                    releaseQuietly(connection.appId(), owner);
                    skipped.incrementAndGet();
                    return;
                }
                refreshLeased(connection, owner, leaseUntil);
            } catch (RuntimeException e) {
                LOG.atError().addKeyValue("app_id", connection.appId()).setCause(e)
                        .log("unexpected failure while refreshing app {}", connection.appId());
            } finally {
                capacity.release();
                if (pending.decrementAndGet() == 0) {
                    synchronized (idle) {
                        idle.notifyAll();
                    }
                }
            }
        }
    }

    private RefreshOutcome refreshLeased(Connection connection, String leaseOwner, Instant leaseUntil) {
        UUID appId = connection.appId();
        Instant start = clock.instant();
        if (Duration.between(start, leaseUntil).compareTo(settings.leaseDuration().dividedBy(2)) < 0) {
            // too little lease left to be sure nobody else takes the connection over mid-call
            releaseQuietly(appId, leaseOwner);
            skipped.incrementAndGet();
            LOG.atWarn().addKeyValue("app_id", appId)
                    .log("refresh of app {} skipped: its lease was claimed too long ago", appId);
            return new RefreshOutcome.Skipped(appId);
        }
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        TokenGrant grant;
        try {
            grant = server.refresh(connection.refreshToken());
        } finally {
            inFlight.decrementAndGet();
        }
        Instant received = clock.instant();
        if (grant instanceof TokenGrant.Tokens tokens) {
            TokenResponseCheck check = TokenResponseCheck.ofRefresh(tokens.response(), connection.refreshToken());
            if (check instanceof TokenResponseCheck.Valid valid) {
                String issued = tokens.response().refreshToken();
                if (issued == null || issued.isBlank()) {
                    noteKeptRefreshToken(connection);
                }
                return storeRefreshed(connection, leaseOwner, valid, received);
            }
            TokenResponseCheck.Invalid invalid = (TokenResponseCheck.Invalid) check;
            return storeFailure(connection, leaseOwner, invalid.failure().code(), invalid.message(), received);
        }
        if (grant instanceof TokenGrant.Refused refused) {
            return storeFailure(connection, leaseOwner, refused.errorCode(), refused.description(), received);
        }
        TokenGrant.Unavailable unavailable = (TokenGrant.Unavailable) grant;
        return storeFailure(connection, leaseOwner, UNAVAILABLE, unavailable.reason(), received);
    }

    /** Counts a refresh answered without a new refresh token, and warns the first time for this connection. */
    private void noteKeptRefreshToken(Connection connection) {
        keptRefreshToken.incrementAndGet();
        if (warnedKeptRefreshToken.size() >= MAX_WARNED) {
            warnedKeptRefreshToken.clear();
        }
        if (warnedKeptRefreshToken.add(connection.appId() + "@" + connection.connectedAt())) {
            LOG.atWarn().addKeyValue("event", "oauth_refresh_token_kept").addKeyValue("app_id", connection.appId())
                    .addKeyValue("organisation_id", connection.organisationId())
                    .log("app {}: Dialpad answered a refresh without a new refresh token; the current one is kept"
                            + " (RFC 6749 section 6). Logged once per connection, counted in"
                            + " switchboard_refresh_without_new_refresh_token_total", connection.appId());
        }
    }

    private RefreshOutcome storeRefreshed(Connection connection, String leaseOwner, TokenResponseCheck.Valid valid,
                                          Instant now) {
        UUID appId = connection.appId();
        Instant expiresAt = valid.expiresAt(now);
        Instant next = policy.dueAt(now, expiresAt);
        Duration delay = settings.storeRetryDelay();
        for (int attempt = 1; ; attempt++) {
            try {
                if (!store.recordRefreshed(appId, leaseOwner, valid.accessToken(), valid.refreshToken(), expiresAt,
                        next, now)) {
                    return leaseLost(appId);
                }
                break;
            } catch (SwitchboardException e) {
                if (attempt >= settings.storeWriteAttempts()) {
                    tokensLost.incrementAndGet();
                    LOG.atError().addKeyValue("event", "oauth_refresh_store_failed").addKeyValue("app_id", appId)
                            .addKeyValue("attempts", attempt)
                            .log("app {}: Dialpad rotated its refresh token but the new tokens could not be stored"
                                    + " after {} attempts ({}); the connection will likely need a reconnect",
                                    appId, attempt, e.getMessage());
                    return new RefreshOutcome.StoreFailed(appId, true);
                }
                LOG.atWarn().addKeyValue("app_id", appId).addKeyValue("attempt", attempt)
                        .log("app {}: storing refreshed tokens failed ({}), retrying", appId, e.getMessage());
                pause(delay);
                delay = delay.multipliedBy(2);
            }
        }
        refreshed.incrementAndGet();
        recordAudit(AuditEvent.of(now, AuditEventType.OAUTH_REFRESHED, appId, ACTOR, Map.of(
                "organisation_id", connection.organisationId(),
                "expires_at", expiresAt.toString(),
                "next_attempt_at", next.toString())));
        LOG.atInfo().addKeyValue("event", AuditEventType.OAUTH_REFRESHED.code()).addKeyValue("app_id", appId)
                .addKeyValue("organisation_id", connection.organisationId())
                .addKeyValue("expires_at", expiresAt.toString())
                .log("tokens refreshed for app {} (organisation {}), valid until {}", appId,
                        connection.organisationId(), expiresAt);
        return new RefreshOutcome.Refreshed(appId, connection.organisationId(), expiresAt, next);
    }

    private RefreshOutcome storeFailure(Connection connection, String leaseOwner, String errorCode,
                                        String description, Instant now) {
        UUID appId = connection.appId();
        RefreshPolicy.AfterFailure decision = policy.afterFailure(connection, errorCode, now, random.nextDouble());
        boolean reconnect = decision instanceof RefreshPolicy.AfterFailure.NeedsReconnect;
        Instant retryAt = decision instanceof RefreshPolicy.AfterFailure.RetryAt retry ? retry.at() : now;
        try {
            if (!store.recordRefreshFailure(appId, leaseOwner, errorCode, retryAt, reconnect, now)) {
                return leaseLost(appId);
            }
        } catch (SwitchboardException e) {
            LOG.atWarn().addKeyValue("app_id", appId).addKeyValue("error_code", errorCode)
                    .log("app {}: refresh failed ({}) and the failure could not be recorded ({}); the lease will"
                            + " run out", appId, errorCode, e.getMessage());
            return new RefreshOutcome.StoreFailed(appId, false);
        }
        if (reconnect) {
            needsReconnect.incrementAndGet();
            recordAudit(AuditEvent.of(now, AuditEventType.OAUTH_NEEDS_RECONNECT, appId, ACTOR, Map.of(
                    "organisation_id", connection.organisationId(), "error_code", errorCode)));
            LOG.atWarn().addKeyValue("event", AuditEventType.OAUTH_NEEDS_RECONNECT.code()).addKeyValue("app_id", appId)
                    .addKeyValue("organisation_id", connection.organisationId()).addKeyValue("error_code", errorCode)
                    .log("app {} needs reconnect: Dialpad refused its refresh token ({}); send a new connect link",
                            appId, errorCode);
            return new RefreshOutcome.NeedsReconnect(appId);
        }
        failed.incrementAndGet();
        recordAudit(AuditEvent.of(now, AuditEventType.OAUTH_REFRESH_FAILED, appId, ACTOR, Map.of(
                "organisation_id", connection.organisationId(), "error_code", errorCode,
                "retry_at", retryAt.toString())));
        LOG.atWarn().addKeyValue("event", AuditEventType.OAUTH_REFRESH_FAILED.code()).addKeyValue("app_id", appId)
                .addKeyValue("organisation_id", connection.organisationId()).addKeyValue("error_code", errorCode)
                .addKeyValue("retry_at", retryAt.toString())
                .log("token refresh failed for app {} ({}: {}); retrying at {}", appId, errorCode, description,
                        retryAt);
        return new RefreshOutcome.Failed(appId, errorCode, retryAt);
    }

    private RefreshOutcome leaseLost(UUID appId) {
        leasesLost.incrementAndGet();
        LOG.atWarn().addKeyValue("app_id", appId)
                .log("app {}: refresh result not recorded, the lease was lost (taken over, reconnected or"
                        + " disconnected meanwhile)", appId);
        return new RefreshOutcome.LeaseLost(appId);
    }

    private void recordAudit(AuditEvent event) {
        try {
            audit.record(event);
        } catch (SwitchboardException e) {
            // the refresh itself is stored; a missing audit line must not undo or repeat it
            LOG.atWarn().addKeyValue("app_id", event.appId().map(UUID::toString).orElse(""))
                    .log("could not write audit event {}: {}", event.type().code(), e.getMessage());
        }
    }

    private void releaseQuietly(UUID appId, String leaseOwner) {
        try {
            store.releaseLease(appId, leaseOwner);
        } catch (SwitchboardException e) {
            LOG.atWarn().addKeyValue("app_id", appId)
                    .log("could not release the lease on app {} ({}); it will run out", appId, e.getMessage());
        }
    }

    private static void pause(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            // keep the interrupt for the caller but still try the remaining writes: the rotated token is at stake
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix.endsWith("-") ? prefix + count.incrementAndGet() : prefix);
            thread.setDaemon(true);
            return thread;
        };
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

        private static boolean isPositive(Duration duration) {
            return !duration.isNegative() && !duration.isZero();
        }
    }

    /**
     * Counters of one refresher since it was created.
     *
     * @param refreshed      refreshes stored
     * @param failed         failures recorded for retry
     * @param needsReconnect connections marked as needing a reconnect
     * @param tokensLost     rotated tokens that could not be stored
     * @param leasesLost     results not recorded because the lease was gone
     * @param skipped        claims released unused (closing, or lease too old)
     * @param keptRefreshToken successful refresh answers without a new refresh token (the current one was kept)
     * @param inFlight       calls to Dialpad running now (background and {@link #refreshNow})
     * @param peakInFlight   the most calls to Dialpad that ran at once
     * @param concurrency    the configured bound
     */
    public record Snapshot(long refreshed, long failed, long needsReconnect, long tokensLost, long leasesLost,
                           long skipped, long keptRefreshToken, int inFlight, int peakInFlight, int concurrency) {
    }
}
