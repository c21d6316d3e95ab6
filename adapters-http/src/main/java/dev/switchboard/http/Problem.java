package dev.switchboard.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP error answer as the contract shapes it: a status, a snake_case {@code error} code and one human sentence.
 * Thrown by handlers and filters and turned into {@code {"error", "message"}} JSON by the server; it carries no stack
 * trace worth logging, so it is created without one.
 *
 * <p>The message is shown to the client: never put a token, a secret or a provider's raw body in it.
 */
public final class Problem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final transient Map<String, String> headers;

    Problem(int status, String code, String message, Map<String, String> headers) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a problem has a 4xx or 5xx status");
        }
        this.status = status;
        this.code = Objects.requireNonNull(code, "code");
        this.headers = Map.copyOf(headers);
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The snake_case error code of the JSON body. */
    public String code() {
        return code;
    }

    /** The JSON body: {@code error} then {@code message}. */
    public Map<String, String> body() {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", getMessage());
        return body;
    }

    /** Extra response headers, such as {@code Retry-After} or {@code WWW-Authenticate}. */
    public Map<String, String> headers() {
        return headers;
    }
}
