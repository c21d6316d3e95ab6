package dev.switchboard.core.ratelimit;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One rate limit: at most {@code capacity} counted requests per {@code window} and per client. The window is fixed
 * and starts with the first counted request of a client; when it ends the whole capacity comes back at once.
 * Immutable.
 *
 * @param name     short lower-case name used in bucket keys and logs, e.g. {@code api} or {@code oauth_failures}
 * @param capacity counted requests allowed per window, at least 1
 * @param window   length of the window, at least one second
 */
public record RateLimit(String name, long capacity, Duration window) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    public RateLimit {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(window, "window");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a rate limit name is 1 to 32 lower-case letters, digits or _");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("a rate limit allows at least one request");
        }
        if (window.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("a rate limit window is at least one second");
        }
    }

    /** {@code capacity} requests per minute. */
    public static RateLimit perMinute(String name, long capacity) {
        return new RateLimit(name, capacity, Duration.ofMinutes(1));
    }
}
