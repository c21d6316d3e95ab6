package dev.switchboard.core.oauth;

import dev.switchboard.core.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When to refresh a connection's tokens, and what to do after a failed refresh. Pure functions: the same inputs
 * always give the same answer (randomness for jitter is passed in), so any instance decides alike.
 *
 * <ul>
 *   <li>Due: when the remaining lifetime falls under {@code max(minimumMargin, lifetimeFraction × lifetime)},
 *       but never later than half-way through the lifetime, so a short-lived token is still refreshed well before
 *       it expires rather than at the last second.</li>
 *   <li>After a failure: exponential backoff {@code initialBackoff × 2^(failures-1)}, capped at
 *       {@code maxBackoff}, with "equal jitter" (a uniformly random point in the upper half of the delay) so that
 *       instances do not retry in lock-step.</li>
 *   <li>{@code invalid_grant} (RFC 6749 section 5.2: the refresh token is invalid, expired or revoked) can never
 *       succeed on retry: the connection needs a reconnect and no more attempts are made.</li>
 * </ul>
 *
 * @param minimumMargin    the least time before expiry to refresh at
 * @param lifetimeFraction the share of the lifetime to refresh at, in (0, 0.5]
 * @param initialBackoff   the delay before the first retry (before jitter)
 * @param maxBackoff       the longest delay between retries
 */
public record RefreshPolicy(Duration minimumMargin, double lifetimeFraction, Duration initialBackoff,
                            Duration maxBackoff) {
    /** The error code after which a connection needs a reconnect. */
    public static final String INVALID_GRANT = "invalid_grant";

    public RefreshPolicy {
        Objects.requireNonNull(minimumMargin, "minimumMargin");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (minimumMargin.isNegative() || minimumMargin.isZero()) {
            throw new IllegalArgumentException("the minimum refresh margin must be positive");
        }
        if (!(lifetimeFraction > 0 && lifetimeFraction <= 0.5)) {
            throw new IllegalArgumentException("the lifetime fraction must be in (0, 0.5]");
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must be positive and the cap at least the initial delay");
        }
    }

    /** Refresh 5 minutes or 20% of the lifetime before expiry, whichever is earlier; back off from 30 s to 15 min. */
    public static RefreshPolicy defaults() {
        return new RefreshPolicy(Duration.ofMinutes(5), 0.2, Duration.ofSeconds(30), Duration.ofMinutes(15));
    }

    /** When tokens obtained at {@code obtainedAt} and expiring at {@code expiresAt} should be refreshed. */
    public Instant dueAt(Instant obtainedAt, Instant expiresAt) {
        Duration lifetime = Duration.between(obtainedAt, expiresAt);
        if (lifetime.isNegative() || lifetime.isZero()) {
            return obtainedAt;
        }
        Duration fraction = Duration.ofMillis((long) (lifetime.toMillis() * lifetimeFraction));
        Duration margin = max(minimumMargin, fraction);
        Duration half = lifetime.dividedBy(2);
        return expiresAt.minus(margin.compareTo(half) > 0 ? half : margin);
    }

    /** When a connection's current tokens are due for refresh, from its expiry alone (ignoring failures). */
    public Instant dueAt(Connection connection) {
        return dueAt(connection.tokensObtainedAt(), connection.expiresAt());
    }

    /** True when a background refresh of {@code connection} should run at {@code now}. */
    public boolean isDue(Connection connection, Instant now) {
        return !connection.health().needsReconnect() && !now.isBefore(connection.health().nextAttemptAt());
    }

    /**
     * What to do after a refresh of {@code connection} failed at {@code now} with {@code errorCode};
     * {@code jitter} is a uniform random number in [0, 1) (e.g. {@code random.nextDouble()}).
     */
    public AfterFailure afterFailure(Connection connection, String errorCode, Instant now, double jitter) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(errorCode, "errorCode");
        Objects.requireNonNull(now, "now");
        if (INVALID_GRANT.equals(errorCode)) {
            return new AfterFailure.NeedsReconnect();
        }
        int failures = connection.health().consecutiveFailures() + 1;
        return new AfterFailure.RetryAt(now.plus(backoff(failures, jitter)));
    }

    /** The retry delays after failures: doubling from {@code initialBackoff} to {@code maxBackoff}, equal jitter. */
    public Backoff retryBackoff() {
        return Backoff.of(initialBackoff, maxBackoff).withJitter(0.5);
    }

    /** The delay before retry number {@code failures} (1 for the first failure), jittered by {@code jitter}. */
    public Duration backoff(int failures, double jitter) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures start at 1");
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be in [0, 1)");
        }
        return retryBackoff().delay(failures, jitter);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The decision after a failed refresh. */
    public sealed interface AfterFailure {
        /** Try again at {@code at}. */
        record RetryAt(Instant at) implements AfterFailure {
            public RetryAt {
                Objects.requireNonNull(at, "at");
            }
        }

        /** Stop trying: the connection needs a reconnect through a new connect link. */
        record NeedsReconnect() implements AfterFailure {
        }
    }
}
