package dev.switchboard.http;

import io.javalin.http.Context;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;

/**
 * What every request and response goes through before any route: a request id (taken from a well-formed
 * {@code X-Request-Id} or generated) put on the response and in the logging context, and the security headers of
 * the contract on every answer, errors included.
 */
final class Edge {
    static final String REQUEST_ID_HEADER = "X-Request-Id";
    static final String REQUEST_ID_ATTRIBUTE = "switchboard.request_id";
    static final String MDC_REQUEST_ID = "request_id";
    private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{8,64}");

    private Edge() {
    }

    /** Runs first on every request. */
    static void begin(Context ctx) {
        String incoming = ctx.header(REQUEST_ID_HEADER);
        // A caller's id is kept only when it cannot smuggle anything into logs or headers.
        String requestId = incoming != null && SAFE_REQUEST_ID.matcher(incoming).matches()
                ? incoming : UUID.randomUUID().toString();
        ctx.attribute(REQUEST_ID_ATTRIBUTE, requestId);
        MDC.put(MDC_REQUEST_ID, requestId);
        securityHeaders(ctx);
    }

    /** Runs last on every request. */
    static void end(Context ctx) {
        MDC.remove(MDC_REQUEST_ID);
        MDC.remove(LogFields.APP_ID);
    }

    /** The id of the request being handled. */
    static String requestId(Context ctx) {
        String id = ctx.attribute(REQUEST_ID_ATTRIBUTE);
        return id == null ? "unknown" : id;
    }

    static void securityHeaders(Context ctx) {
        String requestId = ctx.attribute(REQUEST_ID_ATTRIBUTE);
        if (requestId != null) {
            ctx.header(REQUEST_ID_HEADER, requestId);
        }
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        // Answers carry tenant data or secrets shown once; nothing of it belongs in a shared cache.
        ctx.header("Cache-Control", "no-store");
    }
}
