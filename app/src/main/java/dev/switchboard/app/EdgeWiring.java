package dev.switchboard.app;

import dev.switchboard.app.config.Configuration;
import dev.switchboard.http.RateLimitConfig;
import dev.switchboard.core.ratelimit.RateLimitStore;
import dev.switchboard.core.ratelimit.RateLimiter;
import dev.switchboard.http.ClientAddress;
import dev.switchboard.http.Cors;
import dev.switchboard.http.EdgePolicy;
import dev.switchboard.http.MemoryRateLimitStore;
import dev.switchboard.http.Metrics;
import dev.switchboard.http.RateLimiting;
import dev.switchboard.http.TransportSecurity;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.PostgresRateLimitStore;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge built from the configuration: the client-address resolver ({@code TRUST_PROXY}), production's https
 * rules, the CORS allow-list, the rate limits over the store {@code RATE_LIMIT_STORE} names, the metrics registry
 * (with HikariCP's pool meters), {@code /ready} on the database, and {@code /metrics} open without credentials, as the
 * contract has it (it names route templates and counts, never a tenant's id or data).
 * {@link #close()} stops what the rate-limit store runs in the background.
 */
final class EdgeWiring implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeWiring.class);

    private final EdgePolicy policy;
    private final Optional<PostgresRateLimitStore> sharedStore;

    private EdgeWiring(EdgePolicy policy, Optional<PostgresRateLimitStore> sharedStore) {
        this.policy = policy;
        this.sharedStore = sharedStore;
    }

    /** The edge on {@code database}, recording into {@code metrics} (the process's own, or also a host's). */
    static EdgeWiring build(Configuration configuration, Database database, Metrics metrics, Clock clock) {
        Optional<PostgresRateLimitStore> shared = Optional.empty();
        RateLimitStore store;
        if (configuration.rateLimits().store() == RateLimitConfig.Store.POSTGRES) {
            PostgresRateLimitStore postgres = PostgresRateLimitStore.open(database, clock,
                    PostgresRateLimitStore.DEFAULT_CLEANUP_INTERVAL);
            shared = Optional.of(postgres);
            store = postgres;
        } else {
            store = MemoryRateLimitStore.create(clock);
        }
        if (configuration.production() && configuration.trustedProxies().isEmpty()) {
            LOG.warn("TRUST_PROXY is empty: X-Forwarded-For is ignored, so behind a proxy every client shares the "
                    + "proxy's rate limits");
        }
        database.recordPoolMeters(metrics.registry());
        EdgePolicy policy = new EdgePolicy(
                ClientAddress.trusting(configuration.trustedProxies()),
                configuration.production() ? TransportSecurity.redirectingTo(configuration.publicBaseUrl())
                        : TransportSecurity.off(),
                configuration.corsAllowedOrigins().isEmpty() ? Cors.off()
                        : Cors.allowing(configuration.corsAllowedOrigins()),
                RateLimiting.of(RateLimiter.using(store), configuration.rateLimits()),
                metrics,
                database::isReachable,
                // open, as the contract has it: route templates and status counts, no tenant's id or data
                Optional.empty());
        return new EdgeWiring(policy, shared);
    }

    EdgePolicy policy() {
        return policy;
    }

    Metrics metrics() {
        return policy.metrics();
    }

    @Override
    public void close() {
        try {
            sharedStore.ifPresent(PostgresRateLimitStore::close);
        } finally {
            policy.metrics().close();
        }
    }
}
