package dev.switchboard.http;

import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What the server does at its edge, before and after every route: who the client is, https enforcement, CORS, rate
 * limits, metrics, readiness, and who may read the metrics.
 *
 * @param clientAddress  how the client IP is found ({@code TRUST_PROXY})
 * @param transport      production's https redirect and HSTS, or nothing
 * @param cors           the CORS allow-list, or off
 * @param rateLimiting   the four limits, or off
 * @param metrics        the registry served at {@code /metrics}, where the request timer is recorded
 * @param databaseReady  what {@code /ready} asks; called on a thread of its own and bounded in time
 * @param metricsAuth    when present, {@code /metrics} requires this bearer ({@code INTERNAL_API_SECRET}); when empty
 *                       it is open to whoever reaches the listen address
 */
public record EdgePolicy(ClientAddress clientAddress, TransportSecurity transport, Cors cors,
                         RateLimiting rateLimiting, Metrics metrics, BooleanSupplier databaseReady,
                         Optional<InternalAuth> metricsAuth) {
    public EdgePolicy {
        Objects.requireNonNull(clientAddress, "clientAddress");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(cors, "cors");
        Objects.requireNonNull(rateLimiting, "rateLimiting");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(databaseReady, "databaseReady");
        Objects.requireNonNull(metricsAuth, "metricsAuth");
    }

    /**
     * The edge of a server with no database and no configuration (tests of routes): the peer is the client, no https
     * rules, no CORS, no rate limits, a fresh registry served openly, and always ready.
     */
    public static EdgePolicy defaults() {
        return new EdgePolicy(ClientAddress.trustingNone(), TransportSecurity.off(), Cors.off(), RateLimiting.off(),
                Metrics.create(), () -> true, Optional.empty());
    }

    /** This policy with other rate limits. */
    public EdgePolicy withRateLimiting(RateLimiting newRateLimiting) {
        return new EdgePolicy(clientAddress, transport, cors, newRateLimiting, metrics, databaseReady, metricsAuth);
    }

    /** This policy with another client-address resolver. */
    public EdgePolicy withClientAddress(ClientAddress newClientAddress) {
        return new EdgePolicy(newClientAddress, transport, cors, rateLimiting, metrics, databaseReady, metricsAuth);
    }

    /** This policy with other https rules. */
    public EdgePolicy withTransport(TransportSecurity newTransport) {
        return new EdgePolicy(clientAddress, newTransport, cors, rateLimiting, metrics, databaseReady, metricsAuth);
    }

    /** This policy with another CORS allow-list. */
    public EdgePolicy withCors(Cors newCors) {
        return new EdgePolicy(clientAddress, transport, newCors, rateLimiting, metrics, databaseReady, metricsAuth);
    }

    /** This policy with another readiness check. */
    public EdgePolicy withDatabaseReady(BooleanSupplier newCheck) {
        return new EdgePolicy(clientAddress, transport, cors, rateLimiting, metrics, newCheck, metricsAuth);
    }

    /** This policy with {@code /metrics} behind {@code auth}. */
    public EdgePolicy withMetricsAuth(InternalAuth auth) {
        return new EdgePolicy(clientAddress, transport, cors, rateLimiting, metrics, databaseReady,
                Optional.of(auth));
    }
}
