package dev.switchboard.core.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
 */
public record Configuration(AppEnvironment environment, String host, int port, URI publicBaseUrl,
                            DialpadConfig dialpad, Secrets secrets, DatabaseConfig database,
                            List<IpRange> trustedProxies, RateLimitConfig rateLimits, LoggingConfig logging,
                            Optional<URI> connectSuccessUrl, Path dataDirectory) {
    /** The default directory of sandbox state, relative to the working directory. */
    public static final Path DEFAULT_DATA_DIRECTORY = Path.of("data");

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

    /** This configuration with the given secrets (sandbox start-up fills in the generated ones this way). */
    public Configuration withSecrets(Secrets newSecrets) {
        return new Configuration(environment, host, port, publicBaseUrl, dialpad, newSecrets, database,
                trustedProxies, rateLimits, logging, connectSuccessUrl, dataDirectory);
    }

    /** This configuration listening on another host and port (tests use port 0). */
    public Configuration withListenAddress(String newHost, int newPort) {
        return new Configuration(environment, newHost, newPort, publicBaseUrl, dialpad, secrets, database,
                trustedProxies, rateLimits, logging, connectSuccessUrl, dataDirectory);
    }

    /** True in production. */
    public boolean production() {
        return environment == AppEnvironment.PRODUCTION;
    }
}
