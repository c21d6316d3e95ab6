package dev.switchboard.http;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The process's metrics, served by {@code GET /metrics} in the Prometheus text format. The edge records every
 * request as the timer {@code http_server_requests} (exported as {@code http_server_requests_seconds_count},
 * {@code _sum}, {@code _max} and latency buckets) tagged with {@code method}, {@code route} (the route template, never
 * the raw path, so ids do not explode the series) and {@code status}. The JVM's memory, garbage collection, threads
 * and class loading, the CPU and the uptime are included (docs/edge.md lists every meter).
 *
 * <p>Other components add their own meters through {@link #registry()}: webhook outcomes, refresh outcomes, open
 * sockets, pool use. Name them {@code switchboard_<what>} (snake_case; counters end in {@code _total} once
 * exported) and keep tag values to small fixed sets: never an app id, a key or a token. Thread-safe.
 *
 * <p>A server embedded in a host service ({@link #alsoRecordingIn}) records those meters in the host's registry too;
 * the request timer and the JVM meters stay on {@code /metrics} only, since a host has its own (often under the same
 * names with other tags, which a Prometheus registry refuses).
 */
public final class Metrics implements AutoCloseable {
    /** Name of the request timer. */
    public static final String REQUESTS = "http_server_requests";
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(25),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(1000), Duration.ofMillis(5000)};

    /** What {@code /metrics} serves. */
    private final PrometheusMeterRegistry exposition;
    /** Where components register: the exposition alone, or it and a host's registry. */
    private final MeterRegistry registry;
    private final Optional<MeterRegistry> host;
    private final JvmGcMetrics gc;
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    private Metrics(PrometheusMeterRegistry exposition, MeterRegistry registry, Optional<MeterRegistry> host,
                    JvmGcMetrics gc) {
        this.exposition = exposition;
        this.registry = registry;
        this.host = host;
        this.gc = gc;
    }

    /** A fresh registry with the JVM and process meters bound. */
    public static Metrics create() {
        return prometheus();
    }

    /**
     * As {@link #create()}, and every meter registered through {@link #registry()} is recorded in {@code host} as well
     * (a service that embeds the server sees Switchboard's meters among its own); {@link #close()} removes them from
     * {@code host} again.
     */
    public static Metrics alsoRecordingIn(MeterRegistry host) {
        Objects.requireNonNull(host, "host");
        Metrics own = prometheus();
        CompositeMeterRegistry both = new CompositeMeterRegistry(Clock.SYSTEM,
                List.of(own.exposition, host));
        return new Metrics(own.exposition, both, Optional.of(host), own.gc);
    }

    private static Metrics prometheus() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // jvm_gc_pause_seconds and the allocation meters, fed by the collectors' notifications
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return new Metrics(registry, registry, Optional.empty(), gc);
    }

    /** Where other components register their meters. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Records one answered request. */
    void recordRequest(String method, String route, int status, long nanos) {
        // one timer per (method, route template, status): a bounded set, looked up without building tags each time
        timers.computeIfAbsent(new TimerKey(method, route, status), key -> Timer.builder(REQUESTS)
                        .description("HTTP requests by method, route template and status")
                        .tag("method", key.method())
                        .tag("route", key.route())
                        .tag("status", Integer.toString(key.status()))
                        .serviceLevelObjectives(LATENCY_BUCKETS)
                        .register(exposition))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    private record TimerKey(String method, String route, int status) {
    }

    /** Every meter in the Prometheus text exposition format (version 0.0.4). */
    String scrape() {
        return exposition.scrape();
    }

    /**
     * Stops listening to the garbage collectors' notifications, and takes this server's meters out of a host's
     * registry (a server started again in the same host registers fresh ones, bound to its own components).
     */
    @Override
    public void close() {
        gc.close();
        host.ifPresent(shared -> {
            for (Meter meter : registry.getMeters()) {
                shared.remove(meter.getId());
            }
        });
    }
}
