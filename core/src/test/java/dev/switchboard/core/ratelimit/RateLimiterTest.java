package dev.switchboard.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private static final RateLimit THREE_PER_MINUTE = RateLimit.perMinute("api", 3);

    /** A fixed-window counter in a map, with a hand-moved clock. */
    private static final class FakeStore implements RateLimitStore {
        private final Map<String, long[]> windows = new HashMap<>();
        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        @Override
        public RateLimitDecision tryConsume(String key, RateLimit limit) {
            long[] window = current(key, limit);
            if (window[1] < limit.capacity()) {
                window[1]++;
                return decision(true, window, limit);
            }
            return decision(false, window, limit);
        }

        @Override
        public RateLimitDecision peek(String key, RateLimit limit) {
            long[] window = current(key, limit);
            return decision(window[1] < limit.capacity(), window, limit);
        }

        private long[] current(String key, RateLimit limit) {
            long[] window = windows.get(key);
            if (window == null || now.toEpochMilli() >= window[0] + limit.window().toMillis()) {
                window = new long[] {now.toEpochMilli(), 0};
                windows.put(key, window);
            }
            return window;
        }

        private RateLimitDecision decision(boolean allowed, long[] window, RateLimit limit) {
            Duration reset = Duration.ofMillis(window[0] + limit.window().toMillis() - now.toEpochMilli());
            return new RateLimitDecision(allowed, limit.capacity(), limit.capacity() - window[1],
                    allowed ? Duration.ZERO : reset, window[1] == 0 ? Duration.ZERO : reset);
        }
    }

    private final FakeStore store = new FakeStore();
    private final RateLimiter limiter = RateLimiter.using(store);

    @Test
    void consumeWhenCapacityIsUsedThenNextIsRefusedWithRetryAfter() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.consume(THREE_PER_MINUTE, "203.0.113.7").allowed()).isTrue();
        }
        RateLimitDecision refused = limiter.consume(THREE_PER_MINUTE, "203.0.113.7");

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfterSeconds()).isEqualTo(60);
        assertThat(limiter.consume(THREE_PER_MINUTE, "203.0.113.8").allowed()).isTrue();
    }

    @Test
    void checkWhenCalledManyTimesThenCountsNothing() {
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.check(THREE_PER_MINUTE, "198.51.100.1").remaining()).isEqualTo(3);
        }
    }

    @Test
    void recordFailureWhenCapacityOfFailuresIsReachedThenCheckRefuses() {
        limiter.recordFailure(THREE_PER_MINUTE, "198.51.100.1");
        limiter.recordFailure(THREE_PER_MINUTE, "198.51.100.1");
        assertThat(limiter.check(THREE_PER_MINUTE, "198.51.100.1").allowed()).isTrue();
        limiter.recordFailure(THREE_PER_MINUTE, "198.51.100.1");

        assertThat(limiter.check(THREE_PER_MINUTE, "198.51.100.1").allowed()).isFalse();
        store.now = store.now.plus(Duration.ofMinutes(1));
        assertThat(limiter.check(THREE_PER_MINUTE, "198.51.100.1").remaining()).isEqualTo(3);
    }

    @Test
    void keyWhenBuiltThenNamesLimitCapacityWindowAndClient() {
        assertThat(RateLimiter.key(THREE_PER_MINUTE, "2001:db8:0:0:0:0:0:1")).isEqualTo("api/3/60s:2001:db8:0:0:0:0:0:1");
        assertThatThrownBy(() -> RateLimiter.key(THREE_PER_MINUTE, "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decisionWhenDurationsHaveFractionsThenSecondsRoundUp() {
        RateLimitDecision decision = new RateLimitDecision(false, 5, 0, Duration.ofMillis(200), Duration.ofMillis(59_001));

        assertThat(decision.retryAfterSeconds()).isEqualTo(1);
        assertThat(decision.resetAfterSeconds()).isEqualTo(60);
        assertThatThrownBy(() -> new RateLimitDecision(true, 5, 6, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rateLimitWhenInvalidThenRefused() {
        assertThatThrownBy(() -> new RateLimit("API", 1, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RateLimit("api", 0, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RateLimit("api", 1, Duration.ofMillis(10))).isInstanceOf(IllegalArgumentException.class);
    }
}
