package dev.switchboard.http;

import io.javalin.http.Context;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.MDC;

/**
 * The names of the structured fields of our log lines, and the per-request fields routes can add. Every line logged
 * while a request is handled carries {@code request_id}; a route that knows the app it serves calls
 * {@link #app(Context, UUID)} so that its lines, and the request's access line, carry {@code app_id} too. Log an
 * {@code event} with slf4j's key-value API: {@code LOG.atInfo().addKeyValue(LogFields.EVENT, "webhook_stored")}.
 */
public final class LogFields {
    /** What happened, in snake_case: {@code http_request}, {@code rate_limited}, {@code webhook_stored}... */
    public static final String EVENT = "event";
    /** The app a line is about. */
    public static final String APP_ID = "app_id";
    /** The request's id, also sent as {@code X-Request-Id}. */
    public static final String REQUEST_ID = Edge.MDC_REQUEST_ID;
    static final String APP_ATTRIBUTE = "switchboard.app_id";

    private LogFields() {
    }

    /** Tags the rest of this request's log lines, and its access line, with {@code app_id}. */
    public static void app(Context ctx, UUID appId) {
        Objects.requireNonNull(appId, "appId");
        ctx.attribute(APP_ATTRIBUTE, appId.toString());
        MDC.put(APP_ID, appId.toString());
    }
}
