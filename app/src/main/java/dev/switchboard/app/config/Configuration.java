package dev.switchboard.app.config;

import dev.switchboard.core.secrets.Secret;
import dev.switchboard.http.IpRange;
import dev.switchboard.http.RateLimitConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything the server is configured with, validated. Built from the environment by
 * {@link ConfigurationReader#read(java.util.Map)}; tests may build one directly. Immutable; its {@code toString()}
 * shows no secret (every secret is a {@link Secret}).
 *
 * <p>The record itself enforces the production rules that concern its shape: in production no secret is left to
 * generate, the database is external, and the public base URL is https.
 *
 * @param environment       sandbox or production ({@code APP_ENV}, fallback {@code NODE_ENV})
 * @param host              listen address ({@code HOST})
 * @param port              listen port ({@code PORT}); 0 picks a free port, which tests use
 * @param publicBaseUrl     how Dialpad and browsers reach the server, without a trailing slash ({@code PUBLIC_BASE_URL})
 * @param dialpad           the Dialpad client, redirect URI, host and scopes of this environment
 * @param secrets           the server's own secrets
 * @param database          embedded or external PostgreSQL
 * @param trustedProxies    the proxies whose {@code X-Forwarded-For} is believed ({@code TRUST_PROXY})
 * @param rateLimits        the four limits and where their counters live
 * @param logging           level and format of the log
 * @param connectSuccessUrl where the browser goes after a successful connect ({@code CONNECT_SUCCESS_URL})
 * @param dataDirectory     the local directory of sandbox state (generated secrets, embedded database): {@code ./data}
 * @param corsAllowedOrigins the browser origins allowed to call the server cross-origin
 *                          ({@code CORS_ALLOWED_ORIGINS}), each {@code scheme://host[:port]} in lower case; empty
 *                          (the default) turns CORS off; https only in production
 * @param edgeLimits        connections per client address and sockets per app
 * @param operations        the shutdown drain and the retention of processed events
 */
public record Configuration(AppEnvironment environment, String host, int port, URI publicBaseUrl,
                            DialpadConfig dialpad, Secrets secrets, DatabaseConfig database,
                            List<IpRange> trustedProxies, RateLimitConfig rateLimits, LoggingConfig logging,
                            Optional<URI> connectSuccessUrl, Path dataDirectory, List<String> corsAllowedOrigins,
                            EdgeLimitsConfig edgeLimits, OperationsConfig operations) {
    /** The default directory of sandbox state, relative to the working directory. */
    public static final Path DEFAULT_DATA_DIRECTORY = Path.of("data");
    /** An origin as browsers send it (RFC 6454 section 6.2), lower case, without a default-port choice made for it. */
    private static final Pattern ORIGIN = Pattern.compile("https?://[a-z0-9.-]+(:[0-9]{1,5})?|https?://\\[[0-9a-f:.]+](:[0-9]{1,5})?");

    public Configuration {
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
        Objects.requireNonNull(dialpad, "dialpad");
        Objects.requireNonNull(secrets, "secrets");
        Objects.requireNonNull(database, "database");
        trustedProxies = List.copyOf(trustedProxies);
        Objects.requireNonNull(rateLimits, "rateLimits");
        Objects.requireNonNull(logging, "logging");
        Objects.requireNonNull(connectSuccessUrl, "connectSuccessUrl");
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        corsAllowedOrigins = List.copyOf(corsAllowedOrigins);
        Objects.requireNonNull(edgeLimits, "edgeLimits");
        Objects.requireNonNull(operations, "operations");
        for (String origin : corsAllowedOrigins) {
            if (!ORIGIN.matcher(origin).matches()) {
                throw new IllegalArgumentException("a CORS origin is scheme://host[:port] in lower case");
            }
            if (environment == AppEnvironment.PRODUCTION && !origin.startsWith("https://")) {
                throw new IllegalArgumentException("production allows only https CORS origins");
            }
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("the host must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("the port must be between 0 and 65535");
        }
        if (environment == AppEnvironment.PRODUCTION) {
            if (!secrets.complete()) {
                throw new IllegalArgumentException("production needs every secret set: " + secrets.toGenerate());
            }
            if (database instanceof DatabaseConfig.Embedded) {
                throw new IllegalArgumentException("production needs an external database");
            }
            if (!"https".equals(publicBaseUrl.getScheme())) {
                throw new IllegalArgumentException("production needs an https public base URL");
            }
        }
    }

    /** A configuration with the default drain and retention: the shape before they were configurable. */
    public Configuration(AppEnvironment environment, String host, int port, URI publicBaseUrl, DialpadConfig dialpad,
                         Secrets secrets, DatabaseConfig database, List<IpRange> trustedProxies,
                         RateLimitConfig rateLimits, LoggingConfig logging, Optional<URI> connectSuccessUrl,
                         Path dataDirectory, List<String> corsAllowedOrigins, EdgeLimitsConfig edgeLimits) {
        this(environment, host, port, publicBaseUrl, dialpad, secrets, database, trustedProxies, rateLimits, logging,
                connectSuccessUrl, dataDirectory, corsAllowedOrigins, edgeLimits, OperationsConfig.DEFAULTS);
    }

    /** A configuration with the default edge limits: the shape before they were configurable. */
    public Configuration(AppEnvironment environment, String host, int port, URI publicBaseUrl, DialpadConfig dialpad,
                         Secrets secrets, DatabaseConfig database, List<IpRange> trustedProxies,
                         RateLimitConfig rateLimits, LoggingConfig logging, Optional<URI> connectSuccessUrl,
                         Path dataDirectory, List<String> corsAllowedOrigins) {
        this(environment, host, port, publicBaseUrl, dialpad, secrets, database, trustedProxies, rateLimits, logging,
                connectSuccessUrl, dataDirectory, corsAllowedOrigins, EdgeLimitsConfig.DEFAULTS);
    }

    /** A configuration without CORS origins (CORS off): the shape before {@code CORS_ALLOWED_ORIGINS} existed. */
    public Configuration(AppEnvironment environment, String host, int port, URI publicBaseUrl, DialpadConfig dialpad,
                         Secrets secrets, DatabaseConfig database, List<IpRange> trustedProxies,
                         RateLimitConfig rateLimits, LoggingConfig logging, Optional<URI> connectSuccessUrl,
                         Path dataDirectory) {
        this(environment, host, port, publicBaseUrl, dialpad, secrets, database, trustedProxies, rateLimits, logging,
                connectSuccessUrl, dataDirectory, List.of());
    }

    /** This configuration with the given secrets (sandbox start-up fills in the generated ones this way). */
    public Configuration withSecrets(Secrets newSecrets) {
        return new Configuration(environment, host, port, publicBaseUrl, dialpad, newSecrets, database,
                trustedProxies, rateLimits, logging, connectSuccessUrl, dataDirectory, corsAllowedOrigins,
                edgeLimits, operations);
    }

    /** This configuration listening on another host and port (tests use port 0). */
    public Configuration withListenAddress(String newHost, int newPort) {
        return new Configuration(environment, newHost, newPort, publicBaseUrl, dialpad, secrets, database,
                trustedProxies, rateLimits, logging, connectSuccessUrl, dataDirectory, corsAllowedOrigins,
                edgeLimits, operations);
    }

    /** This configuration with other rate limits (tests use small numbers). */
    public Configuration withRateLimits(RateLimitConfig newRateLimits) {
        return new Configuration(environment, host, port, publicBaseUrl, dialpad, secrets, database,
                trustedProxies, newRateLimits, logging, connectSuccessUrl, dataDirectory, corsAllowedOrigins,
                edgeLimits, operations);
    }

    /** This configuration trusting other proxies. */
    public Configuration withTrustedProxies(List<IpRange> newTrustedProxies) {
        return new Configuration(environment, host, port, publicBaseUrl, dialpad, secrets, database,
                newTrustedProxies, rateLimits, logging, connectSuccessUrl, dataDirectory, corsAllowedOrigins,
                edgeLimits, operations);
    }

    /** This configuration with other CORS origins. */
    public Configuration withCorsAllowedOrigins(List<String> newOrigins) {
        return new Configuration(environment, host, port, publicBaseUrl, dialpad, secrets, database,
                trustedProxies, rateLimits, logging, connectSuccessUrl, dataDirectory, newOrigins, edgeLimits,
                operations);
    }

    /** This configuration with other edge limits. */
    public Configuration withEdgeLimits(EdgeLimitsConfig newEdgeLimits) {
        return new Configuration(environment, host, port, publicBaseUrl, dialpad, secrets, database,
                trustedProxies, rateLimits, logging, connectSuccessUrl, dataDirectory, corsAllowedOrigins,
                newEdgeLimits, operations);
    }

    /** This configuration with another drain and retention. */
    public Configuration withOperations(OperationsConfig newOperations) {
        return new Configuration(environment, host, port, publicBaseUrl, dialpad, secrets, database,
                trustedProxies, rateLimits, logging, connectSuccessUrl, dataDirectory, corsAllowedOrigins,
                edgeLimits, newOperations);
    }

    /** True in production. */
    public boolean production() {
        return environment == AppEnvironment.PRODUCTION;
    }
}
