package dev.switchboard.http;

import io.javalin.http.Context;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Production's https rules (the contract's Conventions): a request that arrived over plain http is answered
 * {@code 308 Permanent Redirect} to {@code https://} + the authority of {@code PUBLIC_BASE_URL} + the request's path
 * and query, and every https answer carries {@code Strict-Transport-Security: max-age=31536000; includeSubDomains}
 * (RFC 6797). The redirect never uses the request's {@code Host} header, so a forged host cannot send a browser
 * elsewhere. {@code /health} and {@code /ready} are never redirected: load balancers probe them over http.
 *
 * <p>A request counts as https when the connection is TLS, or when the peer is a trusted proxy ({@code TRUST_PROXY})
 * and the left-most {@code X-Forwarded-Proto} value is {@code https}. The header is ignored from any other peer, as
 * {@code X-Forwarded-For} is: behind a TLS-terminating proxy, {@code TRUST_PROXY} must name it.
 *
 * <p>Sandbox: no redirect and no HSTS. Immutable and thread-safe.
 */
public final class TransportSecurity {
    /** The HSTS value: one year, subdomains included. */
    public static final String HSTS = "max-age=31536000; includeSubDomains";
    private static final Set<String> PROBES = Set.of("/health", "/ready");

    private final String authority;

    private TransportSecurity(String authority) {
        this.authority = authority;
    }

    /** No redirect, no HSTS (sandbox). */
    public static TransportSecurity off() {
        return new TransportSecurity(null);
    }

    /** Production: plain http redirected to the host (and port, if any) of {@code publicBaseUrl}. */
    public static TransportSecurity redirectingTo(URI publicBaseUrl) {
        Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
        if (!"https".equalsIgnoreCase(publicBaseUrl.getScheme()) || publicBaseUrl.getRawAuthority() == null
                || publicBaseUrl.getRawUserInfo() != null) {
            throw new IllegalArgumentException("the public base URL must be https://host[:port]");
        }
        return new TransportSecurity(publicBaseUrl.getRawAuthority());
    }

    /** Whether plain http is redirected. */
    public boolean enforced() {
        return authority != null;
    }

    /** Runs before every route: redirects plain http, marks https answers with HSTS. */
    void apply(Context ctx) {
        if (authority == null) {
            return;
        }
        if (secure(ctx)) {
            ctx.header("Strict-Transport-Security", HSTS);
            return;
        }
        if (PROBES.contains(ctx.path())) {
            return;
        }
        // the raw URI keeps the client's percent-encoding; the authority is always ours
        String query = ctx.req().getQueryString();
        String location = "https://" + authority + ctx.req().getRequestURI() + (query == null ? "" : "?" + query);
        throw new EdgeAnswer(308, Map.of("Location", location));
    }

    private static boolean secure(Context ctx) {
        if (ctx.req().isSecure()) {
            return true;
        }
        // Believed from any peer, as the contract reads: unlike X-Forwarded-For it grants nothing. A client that
        // claims https over plain http only spares itself the redirect, and browsers ignore HSTS received over
        // plain http (RFC 6797, section 8.1).
        String proto = ctx.header("X-Forwarded-Proto");
        if (proto == null) {
            return false;
        }
        int comma = proto.indexOf(',');
        String first = (comma < 0 ? proto : proto.substring(0, comma)).strip().toLowerCase(Locale.ROOT);
        return first.equals("https");
    }
}
