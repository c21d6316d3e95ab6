package dev.switchboard.http;

import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Cross-origin access (the Fetch standard's CORS protocol), off unless {@code CORS_ALLOWED_ORIGINS} lists origins.
 * When on, a request whose {@code Origin} is exactly one of them gets {@code Access-Control-Allow-Origin} with that
 * origin, and its preflight ({@code OPTIONS} with {@code Access-Control-Request-Method}) is answered 204 with the
 * methods and headers the API uses. Any other origin gets no CORS header at all, and its preflight goes on to the
 * routes like any {@code OPTIONS} request (a JSON 404/405), so the browser refuses the call. Credentials (cookies)
 * are never allowed cross-origin. Immutable and thread-safe.
 */
public final class Cors {
    private static final Map<String, String> PREFLIGHT = Map.of(
            "Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE",
            "Access-Control-Allow-Headers", "Authorization, Content-Type, X-App-Api-Key, X-Request-Id",
            "Access-Control-Max-Age", "600");
    private static final String EXPOSED = "X-Request-Id, Retry-After, RateLimit-Limit, RateLimit-Remaining, "
            + "RateLimit-Reset, RateLimit-Policy";

    private final Set<String> origins;

    private Cors(Set<String> origins) {
        this.origins = origins;
    }

    /** CORS off: no request gets a CORS header. */
    public static Cors off() {
        return new Cors(Set.of());
    }

    /** CORS for exactly {@code origins} ({@code scheme://host[:port]}, compared without regard to case). */
    public static Cors allowing(List<String> origins) {
        Objects.requireNonNull(origins, "origins");
        return new Cors(Set.copyOf(origins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList()));
    }

    /** Whether any origin is allowed. */
    public boolean enabled() {
        return !origins.isEmpty();
    }

    /** Runs before every route (after the https redirect, before rate limits: a preflight costs nothing). */
    void apply(Context ctx) {
        if (origins.isEmpty()) {
            return;
        }
        // answers differ by Origin, so caches must key on it
        ctx.header("Vary", "Origin");
        String origin = ctx.header("Origin");
        if (origin == null || !origins.contains(origin.toLowerCase(Locale.ROOT))) {
            return;
        }
        ctx.header("Access-Control-Allow-Origin", origin);
        boolean preflight = "OPTIONS".equals(ctx.method().name())
                && ctx.header("Access-Control-Request-Method") != null;
        if (preflight) {
            throw new EdgeAnswer(204, PREFLIGHT);
        }
        ctx.header("Access-Control-Expose-Headers", EXPOSED);
    }
}
