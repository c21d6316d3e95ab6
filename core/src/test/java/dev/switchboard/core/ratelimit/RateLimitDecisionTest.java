package dev.switchboard.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitDecisionTest {
    private static final RateLimit FIVE_PER_MINUTE = RateLimit.perMinute("api", 5);

    @Test
    void fromBucketWhenAllowedThenNoRetryAfterEvenIfTheBucketReportsAWait() {
        RateLimitDecision decision = RateLimitDecision.fromBucket(true, FIVE_PER_MINUTE, 4, 7_000_000_000L,
                12_000_000_000L);

        assertThat(decision).isEqualTo(new RateLimitDecision(true, 5, 4, Duration.ZERO, Duration.ofSeconds(12)));
    }

    @Test
    void fromBucketWhenRefusedThenRetryAfterIsTheWaitForRefill() {
        RateLimitDecision decision = RateLimitDecision.fromBucket(false, FIVE_PER_MINUTE, 0, 1_500_000_000L,
                60_000_000_000L);

        assertThat(decision).isEqualTo(
                new RateLimitDecision(false, 5, 0, Duration.ofMillis(1_500), Duration.ofMinutes(1)));
        assertThat(decision.retryAfterSeconds()).isEqualTo(2);
    }
}
