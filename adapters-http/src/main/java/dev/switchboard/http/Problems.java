package dev.switchboard.http;

import java.util.Map;

/** Factories for the {@link Problem}s the routes answer with; one place, so codes and wording stay consistent. */
public final class Problems {
    private Problems() {
    }

    /** 400 with a specific code, e.g. {@code invalid_app_id}. */
    public static Problem badRequest(String code, String message) {
        return new Problem(400, code, message, Map.of());
    }

    /** 401: credentials missing or not valid. */
    public static Problem unauthorized(String code, String message) {
        return new Problem(401, code, message, Map.of());
    }

    /** 403: credentials valid but not allowed, or the target is inactive. */
    public static Problem forbidden(String code, String message) {
        return new Problem(403, code, message, Map.of());
    }

    /** 404. */
    public static Problem notFound(String code, String message) {
        return new Problem(404, code, message, Map.of());
    }

    /** 405, naming the methods the path does accept. */
    public static Problem methodNotAllowed(String allowed) {
        return new Problem(405, "method_not_allowed", "This method is not allowed on this path.",
                allowed.isEmpty() ? Map.of() : Map.of("Allow", allowed));
    }

    /** 409. */
    public static Problem conflict(String code, String message) {
        return new Problem(409, code, message, Map.of());
    }

    /** 413: the body is over the limit. */
    public static Problem payloadTooLarge(long limitBytes) {
        return new Problem(413, "payload_too_large",
                "The request body is larger than " + limitBytes + " bytes.", Map.of());
    }

    /** 415. */
    public static Problem unsupportedMediaType(String expected) {
        return new Problem(415, "unsupported_media_type", "The request body must be " + expected + ".", Map.of());
    }

    /** 429 with {@code Retry-After} in seconds. */
    public static Problem tooManyRequests(String message, long retryAfterSeconds, Map<String, String> headers) {
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        all.put("Retry-After", Long.toString(Math.max(1, retryAfterSeconds)));
        return new Problem(429, "too_many_requests", message, all);
    }

    /** 502: the upstream (Dialpad) failed; the message is ours, never the upstream's body. */
    public static Problem badGateway(String code, String message) {
        return new Problem(502, code, message, Map.of());
    }

    /** 503: a dependency (the database) is unavailable; clients should retry. */
    public static Problem unavailable(String message) {
        return new Problem(503, "service_unavailable", message, Map.of("Retry-After", "5"));
    }

    /** 500 with a generic sentence: details go to the log under the request id, never to the client. */
    public static Problem internal() {
        return new Problem(500, "internal_error", "Something went wrong on our side; it has been logged.", Map.of());
    }
}
