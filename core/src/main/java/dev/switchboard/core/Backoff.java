package dev.switchboard.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff: the delay before retry number {@code attempt} is {@code initial × multiplier^(attempt-1)},
 * capped at {@code max}, of which the share {@code jitter} is randomised so that instances retrying the same thing
 * do not retry in lock-step ({@code jitter} 0.5 is "equal jitter": a uniformly random point in the upper half).
 * A pure value: it computes delays and never waits, so callers choose how to wait and tests check the figures.
 *
 * <pre>{@code
 * Backoff backoff = Backoff.of(Duration.ofSeconds(1), Duration.ofMinutes(10));
 * Duration third = backoff.delay(3); // 4 s
 * }</pre>
 *
 * @param initial    the delay before the first retry (before jitter); positive
 * @param max        the longest delay; at least {@code initial}
 * @param multiplier the growth from one attempt to the next; at least 1
 * @param jitter     the randomised share of each delay, in [0, 1]
 */
public record Backoff(Duration initial, Duration max, double multiplier, double jitter) {
    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff must be positive and the cap at least the initial delay");
        }
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("the backoff multiplier must be at least 1");
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("the backoff jitter must be in [0, 1]");
        }
    }

    /** Doubling from {@code initial} up to {@code max}, without jitter. */
    public static Backoff of(Duration initial, Duration max) {
        return new Backoff(initial, max, 2, 0);
    }

    /** This backoff with another randomised share. */
    public Backoff withJitter(double newJitter) {
        return new Backoff(initial, max, multiplier, newJitter);
    }

    /** The delay before retry number {@code attempt} (1 for the first), without its jitter: the longest it can be. */
    public Duration delay(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempts start at 1");
        }
        double nanos = initial.toNanos() * Math.pow(multiplier, attempt - 1);
        return nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
    }

    /**
     * The delay before retry number {@code attempt} (1 for the first) with its jitter drawn from {@code random}, a
     * uniform number in [0, 1) (e.g. {@code random.nextDouble()}): between {@code (1 - jitter) × delay(attempt)}
     * and {@link #delay(int)}.
     */
    public Duration delay(int attempt, double random) {
        if (!(random >= 0 && random < 1)) {
            throw new IllegalArgumentException("the random number must be in [0, 1)");
        }
        long full = delay(attempt).toNanos();
        long spread = (long) (full * jitter);
        return Duration.ofNanos(full - spread + (long) (random * spread));
    }
}
