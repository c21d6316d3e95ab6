package dev.switchboard.http;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.config.RateLimitConfig;
import dev.switchboard.core.ratelimit.RateLimit;
import dev.switchboard.core.ratelimit.RateLimitDecision;
import dev.switchboard.core.ratelimit.RateLimiter;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The contract's rate limits per client IP ({@link ClientAddress}; an IPv6 client by its /64, see
 * {@link ClientAddress#rateLimitKey}), by path prefix:
 * <ul>
 *   <li>{@code /auth/dialpad/*}: failed requests (status &ge; 400) per 15 minutes; successes do not count. The
 *       request is checked before it runs and counted after its status is known; once the failures fill the
 *       window, every request answers 429 "Too many OAuth attempts. Please try again later." Our own 429s are not
 *       counted again.
 *   <li>{@code /webhooks/*}, {@code /api/*} (and {@code /ws}), {@code /internal/*}: every request counts, per minute.
 * </ul>
 * Each answer on these paths carries {@code RateLimit-Limit}, {@code RateLimit-Remaining}, {@code RateLimit-Reset}
 * and {@code RateLimit-Policy} (draft-ietf-httpapi-ratelimit-headers); a 429 adds {@code Retry-After} (RFC 9110
 * section 10.2.3) and the JSON error {@code too_many_requests}. Paths that no route serves count too, so scanning
 * is limited as well. When the counters cannot be reached, the request is answered 503 (fail closed).
 *
 * <p>Immutable and thread-safe.
 */
public final class RateLimiting {
    /** The message of the OAuth limit, as the contract words it. */
    public static final String OAUTH_MESSAGE = "Too many OAuth attempts. Please try again later.";
    static final String GENERAL_MESSAGE = "Too many requests. Please try again later.";
    private static final Logger LOG = LoggerFactory.getLogger(RateLimiting.class);
    private static final String RULE_ATTRIBUTE = "switchboard.rate_limit_rule";
    private static final String REFUSED_ATTRIBUTE = "switchboard.rate_limited";

    private final Optional<RateLimiter> limiter;
    private final List<Rule> rules;

    /** One limit over some path prefixes; {@code failuresOnly} counts only answers with status &ge; 400. */
    private record Rule(List<String> prefixes, RateLimit limit, boolean failuresOnly, String message) {
        boolean matches(String path) {
            for (String prefix : prefixes) {
                if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                    return true;
                }
            }
            return false;
        }
    }

    private RateLimiting(Optional<RateLimiter> limiter, List<Rule> rules) {
        this.limiter = limiter;
        this.rules = rules;
    }

    /** No limits at all (tests of other features). */
    public static RateLimiting off() {
        return new RateLimiting(Optional.empty(), List.of());
    }

    /** The contract's four limits with the numbers of {@code config}, counted through {@code limiter}. */
    public static RateLimiting of(RateLimiter limiter, RateLimitConfig config) {
        Objects.requireNonNull(limiter, "limiter");
        Objects.requireNonNull(config, "config");
        return new RateLimiting(Optional.of(limiter), List.of(
                new Rule(List.of("/auth/dialpad"), new RateLimit("oauth_failures", config.oauthFailuresPer15Minutes(),
                        Duration.ofMinutes(15)), true, OAUTH_MESSAGE),
                new Rule(List.of("/webhooks"), RateLimit.perMinute("webhooks", config.webhooksPerMinute()), false,
                        GENERAL_MESSAGE),
                new Rule(List.of("/api", "/ws"), RateLimit.perMinute("api", config.apiPerMinute()), false,
                        GENERAL_MESSAGE),
                new Rule(List.of("/internal"), RateLimit.perMinute("internal", config.internalPerMinute()), false,
                        GENERAL_MESSAGE)));
    }

    /** Runs before the route: counts or checks, sets the headers, throws a 429 {@link Problem} when over. */
    void before(Context ctx) {
        if (limiter.isEmpty()) {
            return;
        }
        String path = ctx.path();
        Rule rule = rules.stream().filter(r -> r.matches(path)).findFirst().orElse(null);
        if (rule == null) {
            return;
        }
        String client = ClientAddress.rateLimitKey(ctx);
        ctx.attribute(RULE_ATTRIBUTE, rule);
        RateLimitDecision decision = rule.failuresOnly()
                ? limiter.get().check(rule.limit(), client)
                : limiter.get().consume(rule.limit(), client);
        Map<String, String> headers = headers(rule.limit(), decision);
        headers.forEach(ctx::header);
        if (!decision.allowed()) {
            ctx.attribute(REFUSED_ATTRIBUTE, true);
            LOG.atInfo().addKeyValue("event", "rate_limited").addKeyValue("limit", rule.limit().name())
                    .addKeyValue("client_ip", client).log("rate limit {} reached", rule.limit().name());
            throw Problems.tooManyRequests(rule.message(), decision.retryAfterSeconds(), headers);
        }
    }

    /** Runs after the route: counts a failed request under a failures-only limit. */
    void after(Context ctx) {
        Rule rule = ctx.attribute(RULE_ATTRIBUTE);
        if (rule == null || !rule.failuresOnly() || Boolean.TRUE.equals(ctx.attribute(REFUSED_ATTRIBUTE))
                || ctx.statusCode() < 400) {
            return;
        }
        try {
            RateLimitDecision decision = limiter.orElseThrow().recordFailure(rule.limit(),
                    ClientAddress.rateLimitKey(ctx));
            if (!ctx.res().isCommitted()) {
                headers(rule.limit(), decision).forEach(ctx::header);
            }
        } catch (StoreUnavailableException e) {
            // the answer is already decided; losing one count is better than turning it into an error
            LOG.warn("could not count a failed OAuth request: {}", e.getMessage());
        }
    }

    private static Map<String, String> headers(RateLimit limit, RateLimitDecision decision) {
        return Map.of(
                "RateLimit-Limit", Long.toString(decision.limit()),
                "RateLimit-Remaining", Long.toString(decision.remaining()),
                "RateLimit-Reset", Long.toString(decision.resetAfterSeconds()),
                "RateLimit-Policy", limit.capacity() + ";w=" + limit.window().toSeconds());
    }
}
