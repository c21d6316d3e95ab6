package dev.switchboard.http;

import io.javalin.http.Context;
import java.util.Map;

/**
 * A complete answer the edge gives before any route runs (an https redirect, a CORS preflight). Thrown from a
 * before-filter so that the remaining filters and the route are skipped while the after-filters (logging context
 * clean-up) still run, which {@code Context.skipRemainingHandlers()} would not allow. Carries no stack trace.
 */
final class EdgeAnswer extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, String> headers;

    EdgeAnswer(int status, Map<String, String> headers) {
        super("edge answer " + status, null, false, false);
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    /** Writes the status and headers, with an empty body. */
    void writeTo(Context ctx) {
        headers.forEach(ctx::header);
        ctx.status(status).result("");
    }
}
