package dev.switchboard.core.ratelimit;

/**
 * Port: where the counters of the rate limits live. Implementations: one process's memory, or a table every
 * instance shares so that all instances draw on one budget per client.
 *
 * <p>A key names one client under one limit (see {@link RateLimiter}); its counter follows the {@link RateLimit}
 * given with it. A counter never goes below zero and never above the capacity: a request refused because the window
 * is used up changes nothing, and the capacity comes back whole when the window ends, however requests and the end
 * of the window interleave. Counters of keys unused for a whole window may be forgotten, which is the same as full.
 *
 * <p>Implementations are thread-safe and atomic per key. Both methods throw
 * {@link dev.switchboard.core.StoreUnavailableException} when the counters cannot be reached.
 */
public interface RateLimitStore {
    /** Counts one request under {@code key} if the window has room; the decision says whether it did. */
    RateLimitDecision tryConsume(String key, RateLimit limit);

    /** Says whether one more request would fit under {@code key}, counting nothing. */
    RateLimitDecision peek(String key, RateLimit limit);
}
