package dev.switchboard.core.oauth;

import dev.switchboard.core.Backoff;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.audit.AuditLog;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refreshes one connection's tokens (RFC 6749 section 6) on the calling thread: decides with the
 * {@link RefreshPolicy}, calls Dialpad, stores the outcome. It starts no thread; {@link TokenRefresher} runs it for
 * every due connection in the background, and an embedder with its own scheduler may call it directly:
 *
 * <pre>{@code
 * ConnectionRefresher refresher = ConnectionRefresher.create(store, dialpad, RefreshPolicy.defaults(), audit,
 *         clock, new SecureRandom(), TokenRefresher.uniqueOwner("host"), ConnectionRefresher.Settings.defaults());
 * RefreshOutcome outcome = refresher.refreshNow(appId);
 * }</pre>
 *
 * <ul>
 *   <li>A lease is the only mutual exclusion: Dialpad rotates refresh tokens and answers the reuse of an old one
 *       with {@code invalid_grant}, so two concurrent refreshes of one connection would kill it. Dialpad is not
 *       called unless at least half of the lease is left.</li>
 *   <li>Success: the rotated refresh token and the new access token are written together by
 *       {@link RefreshLeases#recordRefreshed}, next attempt at {@link RefreshPolicy#dueAt}. Should that write fail
 *       after Dialpad rotated the token, it is retried {@link Settings#storeWriteAttempts()} times after the delays
 *       of {@link Settings#storeRetry()}, since a lost rotated token means a lost connection. Audited
 *       {@code oauth_refreshed}.</li>
 *   <li>A successful answer without a new {@code refresh_token} keeps the current one (RFC 6749 section 6: the
 *       server MAY issue a new one); counted and logged as a warning once per connection.</li>
 *   <li>{@code invalid_grant}: the connection is marked as needing a reconnect (never deleted); audited
 *       {@code oauth_needs_reconnect}.</li>
 *   <li>Any other refusal, Dialpad unavailable, or an unusable token response: the failure is recorded with the
 *       policy's jittered backoff; audited {@code oauth_refresh_failed}.</li>
 * </ul>
 *
 * <p>Log lines and audit events carry the app id, the organisation id, expiry times and error codes; never a token.
 * Thread-safe: any number of threads may refresh different connections at once.
 */
public final class ConnectionRefresher {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRefresher.class);
    private static final String UNAVAILABLE = "unavailable";

    private final RefreshLeases store;
    private final DialpadAuthorizationServer server;
    private final RefreshPolicy policy;
    private final Clock clock;
    private final SecureRandom random;
    private final String owner;
    private final Settings settings;
    private final Pause pause;
    private final RefreshRecorder recorder;
    private final AtomicLong refreshNowCounter = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final AtomicLong skipped = new AtomicLong();

    private ConnectionRefresher(RefreshLeases store, DialpadAuthorizationServer server, RefreshPolicy policy,
                                AuditLog audit, Clock clock, SecureRandom random, String owner, Settings settings,
                                Pause pause) {
        this.store = store;
        this.server = server;
        this.policy = policy;
        this.clock = clock;
        this.random = random;
        this.owner = owner;
        this.settings = settings;
        this.pause = pause;
        this.recorder = new RefreshRecorder(store, audit);
    }

    /**
     * A refresher leasing under {@code owner}, which names this instance and must be unique among the instances
     * sharing the store (see {@link TokenRefresher#uniqueOwner}); at most 150 characters, since one-off
     * {@link #refreshNow} leases append to it.
     */
    public static ConnectionRefresher create(RefreshLeases store, DialpadAuthorizationServer server,
                                             RefreshPolicy policy, AuditLog audit, Clock clock, SecureRandom random,
                                             String owner, Settings settings) {
        return create(store, server, policy, audit, clock, random, owner, settings, Pause.SLEEP);
    }

    static ConnectionRefresher create(RefreshLeases store, DialpadAuthorizationServer server, RefreshPolicy policy,
                                      AuditLog audit, Clock clock, SecureRandom random, String owner,
                                      Settings settings, Pause pause) {
        Objects.requireNonNull(owner, "owner");
        if (owner.isBlank() || owner.length() > 150) {
            throw new IllegalArgumentException("a refresher owner must have 1 to 150 characters");
        }
        return new ConnectionRefresher(Objects.requireNonNull(store, "store"),
                Objects.requireNonNull(server, "server"), Objects.requireNonNull(policy, "policy"),
                Objects.requireNonNull(audit, "audit"), Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(random, "random"), owner, Objects.requireNonNull(settings, "settings"),
                Objects.requireNonNull(pause, "pause"));
    }

    /** The owner name this refresher leases under. */
    public String owner() {
        return owner;
    }

    /** The settings this refresher was created with. */
    public Settings settings() {
        return settings;
    }

    /**
     * Refreshes one app's connection now, whatever its schedule (an operator's action or a test). It takes its own
     * one-off lease through {@link RefreshLeases#tryLease}, so it never overlaps a background refresh of the same
     * connection on any instance: then it answers {@link RefreshOutcome.Busy}. A connection already needing a
     * reconnect is not sent to Dialpad again. Throws {@link dev.switchboard.core.StoreUnavailableException} when the
     * lease cannot be taken.
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
            recorder.releaseQuietly(appId, oneOff);
            return new RefreshOutcome.NeedsReconnect(appId);
        }
        return refreshLeased(connection, oneOff, now.plus(settings.leaseDuration()));
    }

    /**
     * Refreshes {@code connection}, which {@code leaseOwner} holds leased until {@code leaseUntil} (a claim of
     * {@link RefreshLeases#claimDue}); gives the lease back unused when too little of it is left.
     */
    public RefreshOutcome refreshLeased(Connection connection, String leaseOwner, Instant leaseUntil) {
        UUID appId = connection.appId();
        Instant start = clock.instant();
        if (Duration.between(start, leaseUntil).compareTo(settings.leaseDuration().dividedBy(2)) < 0) {
            // too little lease left to be sure nobody else takes the connection over mid-call
            releaseUnused(connection, leaseOwner);
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
                    recorder.noteKeptRefreshToken(connection);
                }
                return storeRefreshed(connection, leaseOwner, valid, received);
            } else if (check instanceof TokenResponseCheck.Invalid invalid) {
                return storeFailure(connection, leaseOwner, invalid.failure().code(), invalid.message(), received);
            }
            throw new IllegalStateException("unknown token response check " + check);
        } else if (grant instanceof TokenGrant.Refused refused) {
            return storeFailure(connection, leaseOwner, refused.errorCode(), refused.description(), received);
        } else if (grant instanceof TokenGrant.Unavailable unavailable) {
            return storeFailure(connection, leaseOwner, UNAVAILABLE, unavailable.reason(), received);
        }
        throw new IllegalStateException("unknown token grant " + grant.getClass().getSimpleName());
    }

    /** Gives a claimed connection's lease back without refreshing it (closing, or the lease is too old). */
    void releaseUnused(Connection connection, String leaseOwner) {
        recorder.releaseQuietly(connection.appId(), leaseOwner);
        skipped.incrementAndGet();
    }

    /** Counters since creation; cheap, for metrics and benchmarks. */
    public Counts counts() {
        return new Counts(recorder.refreshed(), recorder.failed(), recorder.needsReconnect(), recorder.tokensLost(),
                recorder.leasesLost(), skipped.get(), recorder.keptRefreshToken(), inFlight.get(), peakInFlight.get());
    }

    private RefreshOutcome storeRefreshed(Connection connection, String leaseOwner, TokenResponseCheck.Valid valid,
                                          Instant now) {
        UUID appId = connection.appId();
        Instant expiresAt = valid.expiresAt(now);
        Instant next = policy.dueAt(now, expiresAt);
        for (int attempt = 1; ; attempt++) {
            try {
                if (!store.recordRefreshed(appId, leaseOwner, valid.accessToken(), valid.refreshToken(), expiresAt,
                        next, now)) {
                    return recorder.leaseLost(appId);
                }
                break;
            } catch (SwitchboardException e) {
                if (attempt >= settings.storeWriteAttempts()) {
                    return recorder.tokensLost(appId, attempt, e);
                }
                LOG.atWarn().addKeyValue("app_id", appId).addKeyValue("attempt", attempt)
                        .log("app {}: storing refreshed tokens failed ({}), retrying", appId, e.getMessage());
                pauseKeepingInterrupt(settings.storeRetry().delay(attempt));
            }
        }
        return recorder.refreshed(connection, expiresAt, next, now);
    }

    private RefreshOutcome storeFailure(Connection connection, String leaseOwner, String errorCode,
                                        String description, Instant now) {
        RefreshPolicy.AfterFailure decision = policy.afterFailure(connection, errorCode, now, random.nextDouble());
        return recorder.failure(connection, leaseOwner, errorCode, description, now, decision);
    }

    private void pauseKeepingInterrupt(Duration delay) {
        try {
            pause.pause(delay);
        } catch (InterruptedException e) {
            // keep the interrupt for the caller but still try the remaining writes: the rotated token is at stake
            Thread.currentThread().interrupt();
        }
    }

    /** How the pause between store-write attempts is taken; tests record the delays instead of waiting them. */
    @FunctionalInterface
    interface Pause {
        /** Waits on the calling thread. */
        Pause SLEEP = delay -> Thread.sleep(delay.toMillis(), (int) (delay.toNanos() % 1_000_000));

        void pause(Duration delay) throws InterruptedException;
    }

    /**
     * How one connection is refreshed.
     *
     * @param leaseDuration      how long a claim holds a connection; far longer than one refresh with its retries
     * @param storeWriteAttempts how many times to try storing rotated tokens, 1 to 20
     * @param storeRetry         the pauses between those attempts
     */
    public record Settings(Duration leaseDuration, int storeWriteAttempts, Backoff storeRetry) {
        public Settings {
            Objects.requireNonNull(leaseDuration, "leaseDuration");
            Objects.requireNonNull(storeRetry, "storeRetry");
            if (leaseDuration.isNegative() || leaseDuration.isZero()) {
                throw new IllegalArgumentException("refresher intervals must be positive");
            }
            if (storeWriteAttempts < 1 || storeWriteAttempts > 20) {
                throw new IllegalArgumentException("store write attempts must be between 1 and 20");
            }
        }

        /** 2-minute leases, 5 store attempts 200 ms, 400 ms, 800 ms... apart. */
        public static Settings defaults() {
            return new Settings(Duration.ofMinutes(2), 5, doubling(Duration.ofMillis(200)));
        }

        /** Store retries doubling from {@code first} for as many attempts as the settings allow. */
        static Backoff doubling(Duration first) {
            return Backoff.of(first, first.multipliedBy(1L << 19));
        }
    }

    /**
     * Counters of one refresher since it was created.
     *
     * @param refreshed        refreshes stored
     * @param failed           failures recorded for retry
     * @param needsReconnect   connections marked as needing a reconnect
     * @param tokensLost       rotated tokens that could not be stored
     * @param leasesLost       results not recorded because the lease was gone
     * @param skipped          claims released unused (closing, or lease too old)
     * @param keptRefreshToken successful refresh answers without a new refresh token (the current one was kept)
     * @param inFlight         calls to Dialpad running now
     * @param peakInFlight     the most calls to Dialpad that ran at once
     */
    public record Counts(long refreshed, long failed, long needsReconnect, long tokensLost, long leasesLost,
                         long skipped, long keptRefreshToken, int inFlight, int peakInFlight) {
    }
}
