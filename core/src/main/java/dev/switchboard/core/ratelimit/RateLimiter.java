package dev.switchboard.core.ratelimit;

import java.util.Objects;

/**
 * Applies {@link RateLimit}s per client over a {@link RateLimitStore}. Two ways of counting:
 * <ul>
 *   <li>{@link #consume}: every request counts, and the one over the capacity is refused (API, internal, webhooks);
 *   <li>{@link #check} before the request and {@link #recordFailure} once its outcome is known: only failed requests
 *       count, and a request is refused once the failures fill the window (the OAuth routes). Requests that are in
 *       flight together all pass {@link #check}, so a burst of concurrent failures can exceed the capacity by the
 *       number in flight; the counter itself never goes wrong.
 * </ul>
 * The bucket key joins the limit's name, capacity and window with the client, so instances configured with
 * different numbers never read each other's counters in a shared store. Thread-safe; store failures propagate as
 * {@link dev.switchboard.core.StoreUnavailableException}.
 */
public final class RateLimiter {
    private final RateLimitStore store;

    private RateLimiter(RateLimitStore store) {
        this.store = store;
    }

    /** A limiter counting in {@code store}. */
    public static RateLimiter using(RateLimitStore store) {
        return new RateLimiter(Objects.requireNonNull(store, "store"));
    }

    /** Counts this request of {@code client}; refused when the window is already full. */
    public RateLimitDecision consume(RateLimit limit, String client) {
        return store.tryConsume(key(limit, client), limit);
    }

    /** Whether {@code client} may make one more request under a failures-only limit; counts nothing. */
    public RateLimitDecision check(RateLimit limit, String client) {
        return store.peek(key(limit, client), limit);
    }

    /** Counts one failed request of {@code client}; a failure beyond the capacity changes nothing. */
    public RateLimitDecision recordFailure(RateLimit limit, String client) {
        return store.tryConsume(key(limit, client), limit);
    }

    /** The bucket key of {@code client} under {@code limit}, e.g. {@code api/300/60s:203.0.113.7}. */
    public static String key(RateLimit limit, String client) {
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(client, "client");
        if (client.isEmpty() || client.length() > 64) {
            throw new IllegalArgumentException("a client is named by 1 to 64 characters");
        }
        return limit.name() + "/" + limit.capacity() + "/" + limit.window().toSeconds() + "s:" + client;
    }
}
