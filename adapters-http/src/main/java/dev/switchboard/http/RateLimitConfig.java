package dev.switchboard.http;

import java.util.Objects;

/**
 * The four rate limits of the contract and where their counters live.
 *
 * @param store                        {@code memory} (one instance) or {@code postgres} (shared by every instance)
 * @param apiPerMinute                 {@code /api/*} and {@code /ws} requests per minute per client IP
 * @param internalPerMinute            {@code /internal/*} requests per minute per client IP
 * @param webhooksPerMinute            webhook deliveries per minute per client IP
 * @param oauthFailuresPer15Minutes    failed OAuth requests per 15 minutes per client IP
 */
public record RateLimitConfig(Store store, int apiPerMinute, int internalPerMinute, int webhooksPerMinute,
                              int oauthFailuresPer15Minutes) {
    /** The defaults of the contract: memory, 300, 100, 1000, 10. */
    public static final RateLimitConfig DEFAULTS = new RateLimitConfig(Store.MEMORY, 300, 100, 1000, 10);

    public RateLimitConfig {
        Objects.requireNonNull(store, "store");
        if (apiPerMinute < 1 || internalPerMinute < 1 || webhooksPerMinute < 1 || oauthFailuresPer15Minutes < 1) {
            throw new IllegalArgumentException("every rate limit must be a positive number");
        }
    }

    /** Where the buckets are kept. */
    public enum Store { MEMORY, POSTGRES }
}
