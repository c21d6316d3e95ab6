package dev.switchboard.core.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link RateLimitStore} answered for one client under one {@link RateLimit}: enough to answer the request
 * and to fill the {@code RateLimit-*} and {@code Retry-After} headers (draft-ietf-httpapi-ratelimit-headers,
 * RFC 9110 section 10.2.3). Immutable.
 *
 * @param allowed    true when the request may go on
 * @param limit      the capacity of the limit
 * @param remaining  counted requests still allowed in the current window, after this one when it was counted
 * @param retryAfter how long until a refused client may try again; zero when allowed
 * @param resetAfter how long until the whole capacity is available again; zero when nothing is counted
 */
public record RateLimitDecision(boolean allowed, long limit, long remaining, Duration retryAfter,
                                Duration resetAfter) {
    public RateLimitDecision {
        Objects.requireNonNull(retryAfter, "retryAfter");
        Objects.requireNonNull(resetAfter, "resetAfter");
        if (limit < 1 || remaining < 0 || remaining > limit) {
            throw new IllegalArgumentException("remaining must be between 0 and the limit");
        }
        if (retryAfter.isNegative() || resetAfter.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    /**
     * The decision a token bucket gives for {@code limit}, from the figures bucket libraries report in nanoseconds:
     * {@code retryAfter} is {@code nanosToWaitForRefill} when refused and zero when allowed (a library may report a
     * wait even for an allowed request), {@code resetAfter} is {@code nanosToFullRefill}.
     *
     * @throws IllegalArgumentException when {@code remaining} exceeds the capacity or a duration is negative
     */
    public static RateLimitDecision fromBucket(boolean allowed, RateLimit limit, long remaining,
                                               long nanosToWaitForRefill, long nanosToFullRefill) {
        return new RateLimitDecision(allowed, limit.capacity(), remaining,
                allowed ? Duration.ZERO : Duration.ofNanos(nanosToWaitForRefill), Duration.ofNanos(nanosToFullRefill));
    }

    /** {@link #retryAfter()} in whole seconds, rounded up, at least 1 (the value of {@code Retry-After}). */
    public long retryAfterSeconds() {
        return Math.max(1, ceilSeconds(retryAfter));
    }

    /** {@link #resetAfter()} in whole seconds, rounded up (the value of {@code RateLimit-Reset}). */
    public long resetAfterSeconds() {
        return ceilSeconds(resetAfter);
    }

    private static long ceilSeconds(Duration duration) {
        long seconds = duration.getSeconds();
        return duration.getNano() > 0 ? seconds + 1 : seconds;
    }
}
