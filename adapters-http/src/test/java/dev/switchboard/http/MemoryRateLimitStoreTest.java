package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.ratelimit.RateLimit;
import dev.switchboard.core.ratelimit.RateLimitDecision;
import dev.switchboard.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class MemoryRateLimitStoreTest {
    private static final RateLimit TEN_PER_15_MINUTES = new RateLimit("oauth_failures", 10, Duration.ofMinutes(15));

    private final MutableClock clock = MutableClock.at(Instant.parse("2025-03-01T12:00:00Z"));
    private final MemoryRateLimitStore store = MemoryRateLimitStore.create(clock);

    @Test
    void tryConsumeWhenCapacityIsReachedThenRefusedUntilTheWindowEnds() {
        for (int i = 1; i <= 10; i++) {
            RateLimitDecision decision = store.tryConsume("k", TEN_PER_15_MINUTES);
            assertThat(decision.allowed()).isTrue();
            assertThat(decision.remaining()).isEqualTo(10 - i);
        }
        clock.advance(Duration.ofMinutes(5));
        RateLimitDecision refused = store.tryConsume("k", TEN_PER_15_MINUTES);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(refused.resetAfterSeconds()).isEqualTo(600);
        clock.advance(Duration.ofMinutes(10));
        assertThat(store.tryConsume("k", TEN_PER_15_MINUTES).remaining()).isEqualTo(9);
    }

    @Test
    void countWhenFailuresStraddleTheWindowResetThenNeverCarriedOverNorNegative() {
        // the window starts with the first counted failure; the next eight come just before it ends
        store.tryConsume("k", TEN_PER_15_MINUTES);
        clock.advance(Duration.ofMinutes(14).plusSeconds(59));
        for (int i = 0; i < 8; i++) {
            store.tryConsume("k", TEN_PER_15_MINUTES);
        }
        assertThat(store.peek("k", TEN_PER_15_MINUTES).remaining()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));

        // the window reset: a full budget, not the one left before it and not more than the capacity
        assertThat(store.peek("k", TEN_PER_15_MINUTES).remaining()).isEqualTo(10);
        for (int i = 0; i < 10; i++) {
            assertThat(store.tryConsume("k", TEN_PER_15_MINUTES).allowed()).isTrue();
        }
        for (int i = 0; i < 5; i++) {
            assertThat(store.tryConsume("k", TEN_PER_15_MINUTES).allowed()).isFalse();
        }
        assertThat(store.peek("k", TEN_PER_15_MINUTES).remaining()).isZero();
        clock.advance(Duration.ofMinutes(15));
        assertThat(store.peek("k", TEN_PER_15_MINUTES).remaining()).isEqualTo(10);
    }

    @Test
    void peekWhenKeyIsUnknownThenFullAndNothingIsStored() {
        RateLimitDecision decision = store.peek("never-seen", TEN_PER_15_MINUTES);

        assertThat(decision.allowed()).isTrue();
        assertThat(decision.remaining()).isEqualTo(10);
        assertThat(store.size()).isZero();
    }

    @Test
    void bucketsWhenIdleForAWindowThenForgotten() {
        store.tryConsume("a", RateLimit.perMinute("api", 5));
        store.tryConsume("b", TEN_PER_15_MINUTES);
        assertThat(store.size()).isEqualTo(2);

        clock.advance(Duration.ofMinutes(1));
        assertThat(store.size()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(14));
        assertThat(store.size()).isZero();
    }

    @Test
    void keysWhenDifferentThenBudgetsAreSeparate() {
        RateLimit one = RateLimit.perMinute("api", 1);
        assertThat(store.tryConsume("x", one).allowed()).isTrue();
        assertThat(store.tryConsume("x", one).allowed()).isFalse();
        assertThat(store.tryConsume("y", one).allowed()).isTrue();
    }
}
