package dev.switchboard.http;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;

/**
 * One access line per request, written once the answer is sent, and the request timer of {@link Metrics}. The line
 * names the method, the route template ({@code /api/calls/{id}}, or {@code unmatched}), the status, the duration in
 * milliseconds and the client IP, with {@code event=http_request}, {@code request_id} and, when a route set it,
 * {@code app_id}. It never contains the raw path or the query string: queries carry {@code api_key},
 * {@code connect_token}, {@code code} and {@code state}. Probes ({@code /health}, {@code /ready}, {@code /metrics})
 * log at DEBUG so that load balancers do not flood the log. Thread-safe.
 */
final class RequestLog {
    static final String UNMATCHED = "unmatched";
    private static final Logger LOG = LoggerFactory.getLogger(RequestLog.class);
    private static final Set<String> PROBES = Set.of("/health", "/ready", "/metrics");

    private final Metrics metrics;

    RequestLog(Metrics metrics) {
        this.metrics = metrics;
    }

    /** Called by Javalin after the answer is written. */
    void record(Context ctx, Float executionMillis) {
        String method = ctx.method().name();
        String route = route(ctx);
        int status = ctx.statusCode();
        float millis = executionMillis == null ? 0f : executionMillis;
        metrics.recordRequest(method, route, status, (long) (millis * 1_000_000L));

        String requestId = ctx.attribute(Edge.REQUEST_ID_ATTRIBUTE);
        String appId = ctx.attribute(LogFields.APP_ATTRIBUTE);
        // the after-filters already cleared the request's logging context; restore it for this one line
        if (requestId != null) {
            MDC.put(LogFields.REQUEST_ID, requestId);
        }
        if (appId != null) {
            MDC.put(LogFields.APP_ID, appId);
        }
        try {
            long rounded = Math.round(millis);
            LOG.atLevel(PROBES.contains(route) ? Level.DEBUG : Level.INFO)
                    .addKeyValue(LogFields.EVENT, "http_request")
                    .addKeyValue("method", method)
                    .addKeyValue("route", route)
                    .addKeyValue("status", status)
                    .addKeyValue("duration_ms", rounded)
                    .addKeyValue("client_ip", ClientAddress.of(ctx))
                    .log("{} {} {} {} ms", method, route, status, rounded);
        } finally {
            MDC.remove(LogFields.REQUEST_ID);
            MDC.remove(LogFields.APP_ID);
        }
    }

    static String route(Context ctx) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        return endpoint == null ? UNMATCHED : endpoint.path;
    }
}
