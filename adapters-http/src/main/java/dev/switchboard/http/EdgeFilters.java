package dev.switchboard.http;

import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;

/**
 * The {@link EdgePolicy} as Javalin handlers: the before-filter chain (client address, https, CORS, rate limits),
 * the after-filter (failure counting), the request log, and the {@code /ready} and {@code /metrics} routes. The
 * before-chain and the request log serve WebSocket upgrade requests as well as HTTP requests.
 */
final class EdgeFilters implements AutoCloseable {
    static final Duration READINESS_TIMEOUT = Duration.ofSeconds(2);

    private final EdgePolicy policy;
    private final Readiness readiness;
    private final RequestLog requestLog;
    /** Set once the server is stopping: load balancers are told to send elsewhere while requests are still served. */
    private volatile boolean draining;

    EdgeFilters(EdgePolicy policy) {
        this.policy = policy;
        this.readiness = new Readiness(policy.databaseReady(), READINESS_TIMEOUT);
        this.requestLog = new RequestLog(policy.metrics());
    }

    /**
     * Runs first on every HTTP request and every WebSocket upgrade request: the request id and security headers
     * ({@link Edge#begin}), the client address, https, CORS and the rate limits. Throws a {@link Problem} (429, 503)
     * or an {@link EdgeAnswer} (redirect, preflight) that ends the request there.
     */
    void begin(Context ctx) {
        Edge.begin(ctx);
        // in order: the client is known first (everything else uses it), a redirect costs no rate-limit budget
        policy.clientAddress().attach(ctx);
        policy.transport().apply(ctx);
        policy.cors().apply(ctx);
        policy.rateLimiting().before(ctx);
    }

    void after(Context ctx) {
        policy.rateLimiting().after(ctx);
    }

    void log(Context ctx, Float executionMillis) {
        requestLog.record(ctx, executionMillis);
    }

    /** From now on {@code /ready} answers 503 {@code shutting_down}; every other route is served as before. */
    void drain() {
        draining = true;
    }

    /**
     * {@code GET /ready}: 200 {@code {"status":"ready"}} when the database answers in time, else a JSON 503; a 503
     * {@code shutting_down} without asking the database once the server drains.
     */
    void ready(Context ctx) {
        if (draining) {
            throw new Problem(503, "shutting_down", "The server is shutting down.", Map.of("Retry-After", "5"));
        }
        if (!readiness.ready()) {
            throw new Problem(503, "not_ready", "The database is not reachable.", Map.of("Retry-After", "5"));
        }
        ctx.json(Map.of("status", "ready"));
    }

    /** {@code GET /metrics}: the Prometheus text, behind the internal bearer when the policy says so. */
    void metrics(Context ctx) {
        policy.metricsAuth().ifPresent(auth -> auth.require(ctx));
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(policy.metrics().scrape());
    }

    @Override
    public void close() {
        readiness.close();
    }
}
