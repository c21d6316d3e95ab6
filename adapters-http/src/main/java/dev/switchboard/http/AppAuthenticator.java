package dev.switchboard.http;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.apikey.ApiKeyAuthenticator;
import dev.switchboard.core.apikey.ApiKeyCandidate;
import dev.switchboard.core.apikey.ApiKeyCheck;
import dev.switchboard.core.apikey.ApiKeyAccessGeneration;
import dev.switchboard.core.apikey.ApiKeyLookup;
import dev.switchboard.core.apikey.ApiKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API key check of {@code /api/*} and {@code /ws}: core's {@link ApiKeyAuthenticator} (one indexed lookup, at
 * most one bcrypt comparison) behind a short-lived cache, so that repeated requests with the same key cost no bcrypt.
 *
 * <p><b>Cache.</b> Entries are keyed by the SHA-256 of the presented key, never by the key itself, and hold the app
 * id, the key hint and the bcrypt hash the key was verified against (a hash, not the key).
 * <ul>
 *   <li>A verified key is trusted while nothing that could withdraw its access has happened since its row was
 *       read. The store's {@link ApiKeyAccessGeneration access generation}, when it keeps one, tells: a number every
 *       revocation, rotation and app deactivation moves forward, read by this instance at most once per
 *       {@link Settings#accessPollEvery()} (1 s), by whichever request comes first, whatever the number of keys.
 *       Each cached key remembers the generation read <em>before</em> its row was; when the current one differs,
 *       the next request with that key re-reads the key's row by its lookup prefix (the same indexed lookup,
 *       <em>no bcrypt</em>) and keeps trusting the key only while that row still has the same hash, is not revoked,
 *       and its app is active. A generation older than {@link Settings#revalidateAfter()} (2 s) is not used: while
 *       the store cannot say (it keeps no generation, or it cannot be read), a key is trusted for
 *       {@code revalidateAfter} after its row was read and then re-read the same way. So a key revoked or rotated
 *       away on any instance, or whose app is deactivated, is refused by every instance within
 *       {@code revalidateAfter} plus one query, well inside the contract's 5 seconds, while a key in steady use is
 *       bcrypt-compared once per instance and costs no query of its own. A key rotated away with a grace period
 *       is cached with its grace end (giving a key a grace end moves the generation, so every instance re-reads it)
 *       and is checked in full again, by core's clock, once that end has passed: no store change marks the end of
 *       a grace, so no poll could tell. An entry unused for
 *       {@link Settings#verifiedIdle()} is dropped.</li>
 *   <li>A refused key (unknown, revoked) is remembered for {@link Settings#refusedFor()}, an inactive app's key
 *       for {@link Settings#revalidateAfter()} only (the app may be reactivated), in a separate, smaller cache so
 *       that junk keys cannot evict verified ones. Missing and malformed keys cost nothing and are not cached. A
 *       newly created key is never refused from this cache: it is 256 fresh random bits, so nobody presented it
 *       before.</li>
 *   <li>Concurrent first checks of one key share one computation (single flight, Caffeine's own: the first caller's
 *       pending answer is the entry of an {@link AsyncCache} the others wait on): a burst of requests with the same
 *       new or bad key costs at most one bcrypt comparison. The comparison runs on the first caller's thread, outside
 *       any lock of the cache, so first checks of different keys never wait for each other.</li>
 * </ul>
 *
 * <p>{@link #stats()} counts full checks (each at most one bcrypt comparison), revalidations and cache answers, for
 * metrics and tests. Thread-safe; a store failure propagates as
 * {@link dev.switchboard.core.StoreUnavailableException} and is never cached.
 */
public final class AppAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(AppAuthenticator.class);
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(AppAuthenticator::sha256);

    private final ApiKeyAuthenticator authenticator;
    private final ApiKeyLookup store;
    /** Null when the store keeps no access generation: then only time decides. */
    private final ApiKeyAccessGeneration generations;
    private final Settings settings;
    private final Ticker ticker;
    private final Cache<String, Verified> verified;
    private final Cache<String, ApiKeyCheck.Reason> refused;
    /** First checks under way, by key digest; an entry leaves once its answer is in the caches above. */
    private final AsyncCache<String, ApiKeyCheck> inFlight = Caffeine.newBuilder().buildAsync();
    private final LongAdder fullChecks = new LongAdder();
    private final LongAdder revalidations = new LongAdder();
    private final LongAdder generationPolls = new LongAdder();
    private final LongAdder cacheAnswers = new LongAdder();
    private final ReentrantLock polling = new ReentrantLock();
    /** The last access generation read, and when (ticker nanos, taken before the read); null before the first. */
    private volatile Generation generation;
    /** When the last read of the generation was started, successful or not (ticker nanos). */
    private volatile long lastPollNanos;

    /**
     * How long cached answers are trusted.
     *
     * @param revalidateAfter how long a verified key is trusted before its row is re-read (no bcrypt)
     * @param verifiedIdle    how long a verified key stays cached without being revalidated
     * @param refusedFor      how long an unknown or revoked key is refused from the cache
     * @param maxVerified     most verified keys cached
     * @param maxRefused      most refused keys cached
     * @param accessPollEvery how often the store's access generation is read (at most), positive and not above
     *                        {@code revalidateAfter}
     */
    public record Settings(Duration revalidateAfter, Duration verifiedIdle, Duration refusedFor, long maxVerified,
                           long maxRefused, Duration accessPollEvery) {
        /** The longest accepted {@code revalidateAfter}: a revoked key must stop working within 5 seconds. */
        public static final Duration MAX_REVALIDATE_AFTER = Duration.ofSeconds(4);

        public Settings {
            Objects.requireNonNull(revalidateAfter, "revalidateAfter");
            Objects.requireNonNull(verifiedIdle, "verifiedIdle");
            Objects.requireNonNull(refusedFor, "refusedFor");
            Objects.requireNonNull(accessPollEvery, "accessPollEvery");
            if (revalidateAfter.isNegative() || revalidateAfter.compareTo(MAX_REVALIDATE_AFTER) > 0) {
                throw new IllegalArgumentException("revalidateAfter must be between 0 and 4 seconds");
            }
            if (verifiedIdle.compareTo(revalidateAfter) < 0 || refusedFor.isNegative()) {
                throw new IllegalArgumentException("verifiedIdle must be at least revalidateAfter; refusedFor >= 0");
            }
            if (maxVerified < 1 || maxRefused < 1) {
                throw new IllegalArgumentException("cache sizes must be positive");
            }
            if (accessPollEvery.isNegative() || accessPollEvery.isZero()
                    || accessPollEvery.compareTo(revalidateAfter) > 0) {
                throw new IllegalArgumentException("accessPollEvery must be positive and at most revalidateAfter");
            }
        }

        /**
         * 2 s revalidation, 15 min idle, 30 s for refused keys, 100,000 verified and 10,000 refused keys, the access
         * generation read at most once a second.
         */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(2), Duration.ofMinutes(15), Duration.ofSeconds(30), 100_000, 10_000,
                    Duration.ofSeconds(1));
        }
    }

    /**
     * An authenticated app, as {@code /api/*} and {@code /ws} see it.
     *
     * @param appId   the app the key belongs to
     * @param keyHint the hint of the key used (safe to log)
     */
    public record AuthenticatedApp(UUID appId, String keyHint) {
        public AuthenticatedApp {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(keyHint, "keyHint");
        }
    }

    /**
     * Counters since start.
     *
     * @param fullChecks    checks that went to core's authenticator (each at most one bcrypt comparison)
     * @param revalidations re-reads of a cached key's row (no bcrypt)
     * @param cacheAnswers  checks answered from the cache alone
     * @param generationReads successful reads of the store's access generation
     */
    public record Stats(long fullChecks, long revalidations, long cacheAnswers, long generationReads) {
    }

    /**
     * A verified key: its row as read at {@code checkedAtNanos}, when the access generation was {@code generation};
     * {@code graceEndsAt} when the key was rotated away with a grace period, after which it is trusted no more.
     */
    private record Verified(UUID appId, String hint, String bcryptHash, long checkedAtNanos, OptionalLong generation,
                            Optional<Instant> graceEndsAt) {
    }

    private record Generation(long value, long readAtNanos) {
    }

    private AppAuthenticator(ApiKeyAuthenticator authenticator, ApiKeyLookup store,
                             ApiKeyAccessGeneration generations, Settings settings, Ticker ticker) {
        this.authenticator = authenticator;
        this.store = store;
        this.generations = generations;
        this.settings = settings;
        this.ticker = ticker;
        this.lastPollNanos = ticker.read() - settings.accessPollEvery().toNanos();
        this.verified = Caffeine.newBuilder()
                .ticker(ticker)
                .maximumSize(settings.maxVerified())
                .expireAfterAccess(settings.verifiedIdle())
                .build();
        long refusedNanos = settings.refusedFor().toNanos();
        long inactiveNanos = settings.revalidateAfter().toNanos();
        this.refused = Caffeine.newBuilder()
                .ticker(ticker)
                .maximumSize(settings.maxRefused())
                .expireAfter(Expiry.<String, ApiKeyCheck.Reason>writing((digest, reason) ->
                        Duration.ofNanos(reason == ApiKeyCheck.Reason.APP_INACTIVE ? inactiveNanos : refusedNanos)))
                .build();
    }

    /**
     * A cached check over {@code authenticator}; {@code store} is what revalidation re-reads (no bcrypt). Without an
     * access generation, a verified key is re-read {@link Settings#revalidateAfter()} after its row was read.
     */
    public static AppAuthenticator create(ApiKeyAuthenticator authenticator, ApiKeyLookup store, Settings settings) {
        return create(authenticator, store, null, settings, Ticker.systemTicker());
    }

    /** As {@link #create(ApiKeyAuthenticator, ApiKeyLookup, Settings)}, trusting keys while {@code generations} stays. */
    public static AppAuthenticator create(ApiKeyAuthenticator authenticator, ApiKeyLookup store,
                                          ApiKeyAccessGeneration generations, Settings settings) {
        return create(authenticator, store, Objects.requireNonNull(generations, "generations"), settings,
                Ticker.systemTicker());
    }

    /** As the public factories with the time source of the cache (tests); {@code generations} may be null. */
    static AppAuthenticator create(ApiKeyAuthenticator authenticator, ApiKeyLookup store,
                                   ApiKeyAccessGeneration generations, Settings settings, Ticker ticker) {
        return new AppAuthenticator(Objects.requireNonNull(authenticator, "authenticator"),
                Objects.requireNonNull(store, "store"), generations, Objects.requireNonNull(settings, "settings"),
                Objects.requireNonNull(ticker, "ticker"));
    }

    /**
     * The key a request presents: {@code x-app-api-key} when present, else the token of an
     * {@code Authorization: Bearer} header (RFC 6750 section 2.1, scheme compared case-insensitively); empty when
     * neither carries anything. The value is not checked here.
     */
    public static Optional<String> presentedKey(String xAppApiKey, String authorization) {
        if (xAppApiKey != null && !xAppApiKey.isBlank()) {
            return Optional.of(xAppApiKey.strip());
        }
        if (authorization != null) {
            String trimmed = authorization.strip();
            if (trimmed.length() > 7 && trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
                String token = trimmed.substring(7).strip();
                if (!token.isEmpty()) {
                    return Optional.of(token);
                }
            }
        }
        return Optional.empty();
    }

    /** The app {@code presentedKey} authenticates, or empty for any refusal. See {@link #check(String)}. */
    public Optional<AuthenticatedApp> authenticate(String presentedKey) {
        return check(presentedKey) instanceof ApiKeyCheck.Authenticated ok
                ? Optional.of(new AuthenticatedApp(ok.appId(), ok.keyHint()))
                : Optional.empty();
    }

    /**
     * Checks {@code presentedKey} (null or blank when none was sent) with the caching described on this class.
     * Returns core's outcome: {@link ApiKeyCheck.Authenticated}, or {@link ApiKeyCheck.Rejected} with its reason
     * ({@code APP_INACTIVE} and {@code REVOKED} only for the genuine key). A socket holder may call this again at
     * any time to learn whether the key still works: it costs a hash and, at most every 2 s, one indexed lookup.
     */
    public ApiKeyCheck check(String presentedKey) {
        if (presentedKey == null || presentedKey.isBlank()) {
            return new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.MISSING);
        }
        String key = presentedKey.strip();
        if (!ApiKeys.isWellFormed(key)) {
            return new ApiKeyCheck.Rejected(ApiKeyCheck.Reason.MALFORMED);
        }
        String digest = digest(key);
        Optional<ApiKeyCheck> cached = fromCache(digest, key);
        if (cached.isPresent()) {
            return cached.get();
        }
        CompletableFuture<ApiKeyCheck> mine = new CompletableFuture<>();
        CompletableFuture<ApiKeyCheck> running = inFlight.get(digest, (d, executor) -> mine);
        if (running != mine) {
            return await(running);
        }
        try {
            // the previous flight for this key stores its answer before it leaves inFlight, so look again
            ApiKeyCheck outcome = fromCache(digest, key).orElseGet(() -> verify(digest, key));
            mine.complete(outcome);
            return outcome;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.asMap().remove(digest, mine);
        }
    }

    /**
     * Forgets the verified keys of {@code appId} on this instance, so a key this instance just rotated or revoked
     * is refused here at once (other instances notice within {@link Settings#revalidateAfter()}).
     */
    public void forgetApp(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        verified.asMap().values().removeIf(entry -> entry.appId().equals(appId));
    }

    /** Forgets every cached answer (keys are then checked in full again). */
    public void invalidateAll() {
        verified.invalidateAll();
        refused.invalidateAll();
    }

    /** The counters since start. */
    public Stats stats() {
        return new Stats(fullChecks.sum(), revalidations.sum(), cacheAnswers.sum(), generationPolls.sum());
    }

    private Optional<ApiKeyCheck> fromCache(String digest, String key) {
        Verified known = verified.getIfPresent(digest);
        if (known != null && known.graceEndsAt().map(authenticator::graceEnded).orElse(false)) {
            // the grace of a rotated-away key ended: nothing in the store moved, so the cache itself must notice
            verified.invalidate(digest);
            return Optional.of(verify(digest, key));
        }
        if (known != null) {
            OptionalLong current = accessGeneration();
            boolean stillHolds = current.isPresent()
                    ? known.generation().equals(current)
                    : ticker.read() - known.checkedAtNanos() < settings.revalidateAfter().toNanos();
            if (stillHolds) {
                cacheAnswers.increment();
                return Optional.of(new ApiKeyCheck.Authenticated(known.appId(), known.hint()));
            }
            return Optional.of(revalidate(digest, key, known, current));
        }
        ApiKeyCheck.Reason reason = refused.getIfPresent(digest);
        if (reason != null) {
            cacheAnswers.increment();
            return Optional.of(new ApiKeyCheck.Rejected(reason));
        }
        return Optional.empty();
    }

    /**
     * The access generation to judge cached keys by now: the last one read, reading it again first when it is
     * {@link Settings#accessPollEvery()} old (one reader at a time; the others go on with the last one). Empty when
     * the store keeps none, or none was read within {@link Settings#revalidateAfter()}: then time decides.
     */
    private OptionalLong accessGeneration() {
        if (generations == null) {
            return OptionalLong.empty();
        }
        long now = ticker.read();
        if (now - lastPollNanos >= settings.accessPollEvery().toNanos() && polling.tryLock()) {
            try {
                if (now - lastPollNanos >= settings.accessPollEvery().toNanos()) {
                    pollGeneration();
                }
            } finally {
                polling.unlock();
            }
        }
        Generation last = generation;
        if (last == null || ticker.read() - last.readAtNanos() >= settings.revalidateAfter().toNanos()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(last.value());
    }

    private void pollGeneration() {
        long startedAt = ticker.read();
        lastPollNanos = startedAt;
        try {
            generation = new Generation(generations.accessGeneration(), startedAt);
            generationPolls.increment();
        } catch (StoreUnavailableException e) {
            // keys are then judged by time (and their own look-ups report the outage); read again next interval
            LOG.debug("the API key access generation could not be read: {}", e.getClass().getSimpleName());
        }
    }

    private ApiKeyCheck revalidate(String digest, String key, Verified known, OptionalLong generationBefore) {
        revalidations.increment();
        Optional<ApiKeyCandidate> row = store.findByLookupPrefix(ApiKeys.lookupPrefixOf(key));
        ApiKeyCheck.Reason reason;
        if (row.isEmpty() || !sameHash(row.get().bcryptHash(), known.bcryptHash())) {
            // the row that was verified is gone or replaced: only a full check may decide now
            verified.invalidate(digest);
            return verify(digest, key);
        }
        ApiKeyCandidate candidate = row.get();
        if (candidate.graceEndsAt().map(authenticator::graceEnded).orElse(false)) {
            verified.invalidate(digest);
            return verify(digest, key);
        }
        if (!candidate.keyActive()) {
            reason = ApiKeyCheck.Reason.REVOKED;
        } else if (!candidate.appActive()) {
            reason = ApiKeyCheck.Reason.APP_INACTIVE;
        } else {
            verified.put(digest, new Verified(candidate.appId(), candidate.hint(), candidate.bcryptHash(),
                    ticker.read(), generationBefore, candidate.graceEndsAt()));
            return new ApiKeyCheck.Authenticated(candidate.appId(), candidate.hint());
        }
        verified.invalidate(digest);
        refused.put(digest, reason);
        return new ApiKeyCheck.Rejected(reason);
    }

    private ApiKeyCheck verify(String digest, String key) {
        fullChecks.increment();
        OptionalLong generationBefore = accessGeneration();
        ApiKeyCheck outcome = authenticator.authenticate(key);
        if (outcome instanceof ApiKeyCheck.Authenticated) {
            // the hash the key was compared with, so revalidation can tell the same row from a replaced one
            Optional<ApiKeyCandidate> row = store.findByLookupPrefix(ApiKeys.lookupPrefixOf(key));
            row.filter(c -> c.keyActive() && c.appActive()
                            && !c.graceEndsAt().map(authenticator::graceEnded).orElse(false))
                    .ifPresent(c -> verified.put(digest, new Verified(c.appId(), c.hint(), c.bcryptHash(),
                            ticker.read(), generationBefore, c.graceEndsAt())));
        } else if (outcome instanceof ApiKeyCheck.Rejected rejected) {
            refused.put(digest, rejected.reason());
        } else {
            throw new IllegalStateException("unhandled key check outcome " + outcome.getClass().getSimpleName());
        }
        return outcome;
    }

    private static ApiKeyCheck await(CompletableFuture<ApiKeyCheck> running) {
        try {
            return running.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static boolean sameHash(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    private static String digest(String key) {
        // digest() resets the instance, so each thread reuses its own: looking a provider up costs more than hashing
        byte[] hash = SHA_256.get().digest(key.getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().withoutPadding().encodeToString(hash);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
