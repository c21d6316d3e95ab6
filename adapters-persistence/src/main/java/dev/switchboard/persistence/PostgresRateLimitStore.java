package dev.switchboard.persistence;

import dev.switchboard.core.ratelimit.RateLimit;
import dev.switchboard.core.ratelimit.RateLimitDecision;
import dev.switchboard.core.ratelimit.RateLimitStore;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLadvisoryLockBasedProxyManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RateLimitStore} in PostgreSQL ({@code RATE_LIMIT_STORE=postgres}): Bucket4j's PostgreSQL module over the
 * {@code bucket} table of V5, one row per key, updated under a transaction-scoped advisory lock so that every instance
 * on the database draws on the same budget. Buckets refill whole at the end of each window, as the memory store's
 * do. Each row records when it would be full again ({@code expires_at}); a background task removes such rows every
 * {@code cleanupEvery}, in batches, so idle clients leave nothing behind.
 *
 * <p>Thread-safe. Database failures are {@link dev.switchboard.core.StoreUnavailableException}s naming the operation,
 * never a key. {@link #close()} stops the clean-up task (not the pool, which belongs to {@link Database}).
 */
public final class PostgresRateLimitStore implements RateLimitStore, AutoCloseable {
    /** How often expired buckets are removed unless told otherwise. */
    public static final Duration DEFAULT_CLEANUP_INTERVAL = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(PostgresRateLimitStore.class);
    private static final int CLEANUP_BATCH = 1_000;

    private final PostgreSQLadvisoryLockBasedProxyManager<String> buckets;
    private final ScheduledExecutorService cleaner;

    private PostgresRateLimitStore(PostgreSQLadvisoryLockBasedProxyManager<String> buckets,
                                   ScheduledExecutorService cleaner) {
        this.buckets = buckets;
        this.cleaner = cleaner;
    }

    /** A store on {@code database}'s pool, its windows following {@code clock}, cleaning up every {@code cleanupEvery}. */
    public static PostgresRateLimitStore open(Database database, Clock clock, Duration cleanupEvery) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(cleanupEvery, "cleanupEvery");
        if (cleanupEvery.isNegative() || cleanupEvery.isZero()) {
            throw new IllegalArgumentException("the clean-up interval must be positive");
        }
        PostgreSQLadvisoryLockBasedProxyManager<String> buckets = Bucket4jPostgreSQL
                .advisoryLockBasedBuilder(database.dataSource())
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .clientClock(new ClockTimeMeter(clock))
                // a row can go as soon as its bucket would be full again: a missing row is a full bucket
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ZERO))
                .build();
        ScheduledExecutorService cleaner = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "switchboard-rate-limit-cleanup");
            thread.setDaemon(true);
            return thread;
        });
        PostgresRateLimitStore store = new PostgresRateLimitStore(buckets, cleaner);
        cleaner.scheduleWithFixedDelay(store::cleanUpQuietly, cleanupEvery.toMillis(), cleanupEvery.toMillis(),
                TimeUnit.MILLISECONDS);
        return store;
    }

    @Override
    public RateLimitDecision tryConsume(String key, RateLimit limit) {
        return call("count a rate-limited request", () -> {
            VerboseResult<ConsumptionProbe> result = bucket(key, limit).asVerbose().tryConsumeAndReturnRemaining(1);
            ConsumptionProbe probe = result.getValue();
            return RateLimitDecision.fromBucket(probe.isConsumed(), limit, probe.getRemainingTokens(),
                    probe.getNanosToWaitForRefill(), result.getDiagnostics().calculateFullRefillingTime());
        });
    }

    @Override
    public RateLimitDecision peek(String key, RateLimit limit) {
        return call("read a rate limit", () -> {
            VerboseResult<EstimationProbe> result = bucket(key, limit).asVerbose().estimateAbilityToConsume(1);
            EstimationProbe probe = result.getValue();
            return RateLimitDecision.fromBucket(probe.canBeConsumed(), limit, probe.getRemainingTokens(),
                    probe.getNanosToWaitForRefill(), result.getDiagnostics().calculateFullRefillingTime());
        });
    }

    /** Removes buckets that would be full by now, in batches, and returns how many were removed. */
    public int removeExpired() {
        return call("remove expired rate-limit buckets", () -> {
            int total = 0;
            int removed;
            do {
                removed = buckets.removeExpired(CLEANUP_BATCH);
                total += removed;
            } while (removed >= CLEANUP_BATCH);
            return total;
        });
    }

    @Override
    public void close() {
        cleaner.shutdownNow();
    }

    private void cleanUpQuietly() {
        try {
            int removed = removeExpired();
            if (removed > 0) {
                LOG.debug("removed {} expired rate-limit buckets", removed);
            }
        } catch (RuntimeException e) {
            // the next run tries again; an exception here would cancel the schedule
            LOG.warn("removing expired rate-limit buckets failed: {}", e.getMessage());
        }
    }

    private BucketProxy bucket(String key, RateLimit limit) {
        return buckets.builder().build(key, configuration(limit));
    }

    private static Supplier<BucketConfiguration> configuration(RateLimit limit) {
        return () -> BucketConfiguration.builder()
                .addLimit(bandwidth -> bandwidth.capacity(limit.capacity())
                        .refillIntervally(limit.capacity(), limit.window()))
                .build();
    }

    private static <T> T call(String operation, Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            // Bucket4j wraps JDBC failures in its own unchecked exceptions; none of them may cross the port
            throw PersistenceErrors.unavailable(operation, e);
        }
    }

    /** Bucket4j time from an injected clock, in nanoseconds since the epoch. */
    private record ClockTimeMeter(Clock clock) implements TimeMeter {
        @Override
        public long currentTimeNanos() {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }
}
