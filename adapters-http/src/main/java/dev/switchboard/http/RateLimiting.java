package dev.switchboard.http;

import dev.switchboard.core.StoreUnavailableException;
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
 *   <li>{@code /webhooks/*}: rejected deliveries (bad signature, malformed, unknown app) per minute, as the webhook
 *       routes report them ({@link #countRejection}) once they have judged the delivery. A verified delivery is
 *       never checked, counted or refused: Dialpad sends from few addresses and does not retry a 429. The rejection
 *       that is one too many is answered 429 instead of its 400/401/404. Other answers under the prefix (no such
 *       route, 405, 413) reach no secret and no database and are not counted.
 *   <li>{@code /api/*} (and {@code /ws}), {@code /internal/*}: every request counts, per minute.
 * </ul>
 * Each answer these limits count or check carries {@code RateLimit-Limit}, {@code RateLimit-Remaining},
 * {@code RateLimit-Reset} and {@code RateLimit-Policy} (draft-ietf-httpapi-ratelimit-headers); a 429 adds
 * {@code Retry-After} (RFC 9110 section 10.2.3) and the JSON error {@code too_many_requests}. Under the other
 * prefixes, paths that no route serves count too, so scanning is limited as well. When the counters cannot be
 * reached, the request is answered 503 (fail closed); a rejected webhook delivery keeps its own answer.
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
    private static final String LIMITS_ATTRIBUTE = "switchboard.rate_limits";

    private final Optional<RateLimiter> limiter;
    private final List<Rule> rules;

    /** What a limit counts. */
    private enum Counting {
        /** Every request, before it runs. */
        EVERY_REQUEST,
        /** Answers with status &ge; 400; checked before the request, counted after. */
        FAILURES,
        /** What the route reports as rejected, when it does; nothing is checked before. */
        REJECTIONS
    }

    /** One limit over some path prefixes, counting {@code counting}. */
    private record Rule(List<String> prefixes, RateLimit limit, Counting counting, String message) {
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
                        Duration.ofMinutes(15)), Counting.FAILURES, OAUTH_MESSAGE),
                // its own name: a counter of every request under the old name must not be read as rejections
                new Rule(List.of("/webhooks"), RateLimit.perMinute("webhook_rejections", config.webhooksPerMinute()),
                        Counting.REJECTIONS, GENERAL_MESSAGE),
                new Rule(List.of("/api", "/ws"), RateLimit.perMinute("api", config.apiPerMinute()),
                        Counting.EVERY_REQUEST, GENERAL_MESSAGE),
                new Rule(List.of("/internal"), RateLimit.perMinute("internal", config.internalPerMinute()),
                        Counting.EVERY_REQUEST, GENERAL_MESSAGE)));
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
        ctx.attribute(RULE_ATTRIBUTE, rule);
        if (rule.counting() == Counting.REJECTIONS) {
            ctx.attribute(LIMITS_ATTRIBUTE, this);
            return;
        }
        String client = ClientAddress.rateLimitKey(ctx);
        RateLimitDecision decision = rule.counting() == Counting.FAILURES
                ? limiter.get().check(rule.limit(), client)
                : limiter.get().consume(rule.limit(), client);
        enforce(ctx, rule, decision, client);
    }

    /**
     * Called by a route that rejected its request (a webhook delivery that did not verify, was malformed, or named
     * no app): counts it under the limit of rejections and throws the 429 {@link Problem} when it is one too many.
     * Does nothing when the request is under no such limit. When the counters cannot be reached the rejection is
     * answered as it would have been: it is refused either way.
     */
    static void countRejection(Context ctx) {
        RateLimiting limits = ctx.attribute(LIMITS_ATTRIBUTE);
        Rule rule = ctx.attribute(RULE_ATTRIBUTE);
        if (limits == null || rule == null || rule.counting() != Counting.REJECTIONS) {
            return;
        }
        String client = ClientAddress.rateLimitKey(ctx);
        RateLimitDecision decision;
        try {
            decision = limits.limiter.orElseThrow().recordFailure(rule.limit(), client);
        } catch (StoreUnavailableException e) {
            LOG.warn("could not count a rejected request: {}", e.getMessage());
            return;
        }
        enforce(ctx, rule, decision, client);
    }

    /** Sets the headers of {@code decision}; throws the 429 {@link Problem} when it refuses. */
    private static void enforce(Context ctx, Rule rule, RateLimitDecision decision, String client) {
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
        if (rule == null || rule.counting() != Counting.FAILURES
                || Boolean.TRUE.equals(ctx.attribute(REFUSED_ATTRIBUTE)) || ctx.statusCode() < 400) {
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
