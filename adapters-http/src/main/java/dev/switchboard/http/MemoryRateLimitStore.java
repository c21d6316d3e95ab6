package dev.switchboard.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.switchboard.core.ratelimit.RateLimit;
import dev.switchboard.core.ratelimit.RateLimitDecision;
import dev.switchboard.core.ratelimit.RateLimitStore;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.VerboseResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * {@link RateLimitStore} in this process's memory ({@code RATE_LIMIT_STORE=memory}): one Bucket4j bucket per key,
 * refilled whole at the end of each window ({@code refillIntervally}), kept in a Caffeine cache that forgets a bucket
 * one window after its last use (by then it would be full again, so forgetting it changes no answer) and holds at
 * most {@value #MAX_BUCKETS} of them. Counters are per instance: several instances need the {@code postgres} store.
 *
 * <p>Thread-safe; Bucket4j updates each bucket atomically. Time comes from the injected {@link Clock}.
 */
public final class MemoryRateLimitStore implements RateLimitStore {
    static final long MAX_BUCKETS = 200_000;

    private final Cache<String, Entry> buckets;
    private final TimeMeter time;

    private record Entry(Bucket bucket, Duration window) {
    }

    private MemoryRateLimitStore(Clock clock) {
        this.time = new ClockTimeMeter(clock);
        this.buckets = Caffeine.newBuilder()
                .maximumSize(MAX_BUCKETS)
                .ticker(time::currentTimeNanos)
                .expireAfter(new Expiry<String, Entry>() {
                    @Override
                    public long expireAfterCreate(String key, Entry entry, long now) {
                        return entry.window().toNanos();
                    }

                    @Override
                    public long expireAfterUpdate(String key, Entry entry, long now, long remaining) {
                        return entry.window().toNanos();
                    }

                    @Override
                    public long expireAfterRead(String key, Entry entry, long now, long remaining) {
                        return entry.window().toNanos();
                    }
                })
                .build();
    }

    /** A store whose windows follow {@code clock}. */
    public static MemoryRateLimitStore create(Clock clock) {
        return new MemoryRateLimitStore(Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public RateLimitDecision tryConsume(String key, RateLimit limit) {
        VerboseResult<ConsumptionProbe> result = bucket(key, limit).asVerbose().tryConsumeAndReturnRemaining(1);
        ConsumptionProbe probe = result.getValue();
        return RateLimitDecision.fromBucket(probe.isConsumed(), limit, probe.getRemainingTokens(),
                probe.getNanosToWaitForRefill(), result.getDiagnostics().calculateFullRefillingTime());
    }

    @Override
    public RateLimitDecision peek(String key, RateLimit limit) {
        Entry entry = buckets.getIfPresent(cacheKey(key, limit));
        if (entry == null) {
            // an unknown key is a full bucket; creating one only to look at it would let probes fill the cache
            return new RateLimitDecision(true, limit.capacity(), limit.capacity(), Duration.ZERO, Duration.ZERO);
        }
        VerboseResult<EstimationProbe> result = entry.bucket().asVerbose().estimateAbilityToConsume(1);
        EstimationProbe probe = result.getValue();
        return RateLimitDecision.fromBucket(probe.canBeConsumed(), limit, probe.getRemainingTokens(),
                probe.getNanosToWaitForRefill(), result.getDiagnostics().calculateFullRefillingTime());
    }

    /** Buckets currently held (for tests and diagnostics); expired ones may linger until the cache's next clean-up. */
    long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private Bucket bucket(String key, RateLimit limit) {
        return buckets.get(cacheKey(key, limit), k -> new Entry(Bucket.builder()
                .addLimit(bandwidth -> bandwidth.capacity(limit.capacity())
                        .refillIntervally(limit.capacity(), limit.window()))
                .withCustomTimePrecision(time)
                .build(), limit.window())).bucket();
    }

    private static String cacheKey(String key, RateLimit limit) {
        // the same key under another limit must not reuse a bucket built for different numbers
        return key + "#" + limit.capacity() + "/" + limit.window().toMillis();
    }

    /** Bucket4j and Caffeine time from an injected clock, in nanoseconds since the epoch. */
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
