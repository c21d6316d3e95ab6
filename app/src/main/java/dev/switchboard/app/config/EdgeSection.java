package dev.switchboard.app.config;

import static dev.switchboard.app.config.EnvironmentVariables.shown;

import dev.switchboard.http.IpRange;
import dev.switchboard.http.RateLimitConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The variables of the HTTP edge: trusted proxies, allowed CORS origins, rate limits and connection limits. */
final class EdgeSection {
    private static final int MAX_RATE_LIMIT = 1_000_000;
    private static final int MAX_EDGE_LIMIT = 100_000;

    private final EnvironmentVariables env;

    EdgeSection(EnvironmentVariables env) {
        this.env = env;
    }

    List<IpRange> trustedProxies() {
        Optional<String> text = env.optional("TRUST_PROXY");
        if (text.isEmpty()) {
            return List.of();
        }
        List<IpRange> ranges = new ArrayList<>();
        for (String entry : text.get().split(",")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (Set.of("true", "*", "all").contains(trimmed.toLowerCase(Locale.ROOT))) {
                env.problem("TRUST_PROXY", "is " + shown(trimmed) + ", but believing every client's X-Forwarded-For "
                        + "would let anyone choose their address: list the proxies' addresses or CIDR blocks");
                continue;
            }
            Optional<List<IpRange>> parsed = IpRange.parseEntry(trimmed);
            if (parsed.isEmpty()) {
                env.problem("TRUST_PROXY", "contains " + shown(trimmed) + ", which is not an IP address, a CIDR block, "
                        + "or one of loopback, linklocal, uniquelocal");
                continue;
            }
            ranges.addAll(parsed.get());
        }
        return ranges;
    }

    /**
     * {@code CORS_ALLOWED_ORIGINS}: comma-separated exact origins ({@code https://crm.example.com}, RFC 6454), kept in
     * lower case. A wildcard is refused: an allow-list is the point. Production accepts https origins only.
     */
    List<String> corsAllowedOrigins(boolean production) {
        Optional<String> text = env.optional("CORS_ALLOWED_ORIGINS");
        if (text.isEmpty()) {
            return List.of();
        }
        Set<String> origins = new LinkedHashSet<>();
        for (String entry : text.get().split(",")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (trimmed.equals("*") || trimmed.equalsIgnoreCase("null")) {
                env.problem("CORS_ALLOWED_ORIGINS", "contains " + shown(trimmed) + ": list the exact origins allowed, "
                        + "such as https://crm.example.com");
                continue;
            }
            URI uri;
            try {
                uri = new URI(trimmed);
            } catch (URISyntaxException e) {
                env.problem("CORS_ALLOWED_ORIGINS", "contains " + shown(trimmed) + ", which is not an origin");
                continue;
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            boolean shaped = uri.isAbsolute() && (scheme.equals("http") || scheme.equals("https"))
                    && uri.getHost() != null && uri.getRawUserInfo() == null && path.isEmpty()
                    && uri.getRawQuery() == null && uri.getRawFragment() == null;
            if (!shaped) {
                env.problem("CORS_ALLOWED_ORIGINS", "contains " + shown(trimmed) + ", which is not an origin "
                        + "(scheme://host[:port], without a path or a trailing slash)");
                continue;
            }
            if (production && !scheme.equals("https")) {
                env.problem("CORS_ALLOWED_ORIGINS", "contains " + shown(trimmed) + ", but production allows only https "
                        + "origins");
                continue;
            }
            origins.add(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                    + (uri.getPort() < 0 ? "" : ":" + uri.getPort()));
        }
        return List.copyOf(origins);
    }

    RateLimitConfig rateLimits() {
        RateLimitConfig defaults = RateLimitConfig.DEFAULTS;
        RateLimitConfig.Store store = RateLimitConfig.Store.MEMORY;
        Optional<String> storeText = env.optional("RATE_LIMIT_STORE");
        if (storeText.isPresent()) {
            switch (storeText.get().toLowerCase(Locale.ROOT)) {
                case "memory" -> store = RateLimitConfig.Store.MEMORY;
                case "postgres", "postgresql" -> store = RateLimitConfig.Store.POSTGRES;
                default -> env.problem("RATE_LIMIT_STORE", "is " + shown(storeText.get())
                        + ", expected memory or postgres");
            }
        }
        String what = "a positive whole number (at most " + MAX_RATE_LIMIT + ")";
        int api = env.intValue("RATE_LIMIT_API_PER_MINUTE", defaults.apiPerMinute(), 1, MAX_RATE_LIMIT, what);
        int internal = env.intValue("RATE_LIMIT_INTERNAL_PER_MINUTE", defaults.internalPerMinute(), 1,
                MAX_RATE_LIMIT, what);
        int webhooks = env.intValue("RATE_LIMIT_WEBHOOKS_PER_MINUTE", defaults.webhooksPerMinute(), 1,
                MAX_RATE_LIMIT, what);
        int oauth = env.intValue("RATE_LIMIT_OAUTH_FAILURES_PER_15_MINUTES", defaults.oauthFailuresPer15Minutes(), 1,
                MAX_RATE_LIMIT, what);
        return new RateLimitConfig(store, api, internal, webhooks, oauth);
    }

    EdgeLimitsConfig edgeLimits() {
        EdgeLimitsConfig defaults = EdgeLimitsConfig.DEFAULTS;
        String what = "a positive whole number (at most " + MAX_EDGE_LIMIT + ")";
        return new EdgeLimitsConfig(
                env.intValue("HTTP_MAX_CONNECTIONS_PER_CLIENT", defaults.maxConnectionsPerClient(), 1, MAX_EDGE_LIMIT,
                        what),
                env.intValue("WS_MAX_SOCKETS_PER_APP", defaults.maxSocketsPerApp(), 1, MAX_EDGE_LIMIT, what));
    }
}
