package dev.switchboard.http;

import io.javalin.http.Context;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
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
    /** The headers of every answer, errors included, whether a route, the edge or the server itself wrote it. */
    static final Map<String, String> SECURITY_HEADERS = securityHeaderValues();

    private Edge() {
    }

    /** Runs first on every request. */
    static void begin(Context ctx) {
        String requestId = requestIdFor(ctx.header(REQUEST_ID_HEADER));
        ctx.attribute(REQUEST_ID_ATTRIBUTE, requestId);
        MDC.put(MDC_REQUEST_ID, requestId);
        securityHeaders(ctx);
    }

    /** Runs last on every request. */
    static void end(Context ctx) {
        MDC.remove(MDC_REQUEST_ID);
        MDC.remove(LogFields.APP_ID);
    }

    /** The caller's {@code X-Request-Id} when it is well formed, else a fresh one. */
    static String requestIdFor(String incoming) {
        // A caller's id is kept only when it cannot smuggle anything into logs or headers.
        return incoming != null && SAFE_REQUEST_ID.matcher(incoming).matches()
                ? incoming : UUID.randomUUID().toString();
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
        SECURITY_HEADERS.forEach(ctx::header);
    }

    private static Map<String, String> securityHeaderValues() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Frame-Options", "DENY");
        headers.put("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
        // Answers carry tenant data or secrets shown once; nothing of it belongs in a shared cache.
        headers.put("Cache-Control", "no-store");
        return Collections.unmodifiableMap(headers);
    }
}
