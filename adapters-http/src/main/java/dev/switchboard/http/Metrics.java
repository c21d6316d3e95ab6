package dev.switchboard.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
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
 */
public final class Metrics implements AutoCloseable {
    /** Name of the request timer. */
    public static final String REQUESTS = "http_server_requests";
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(25),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(1000), Duration.ofMillis(5000)};

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    private Metrics(PrometheusMeterRegistry registry, JvmGcMetrics gc) {
        this.registry = registry;
        this.gc = gc;
    }

    /** A fresh registry with the JVM and process meters bound. */
    public static Metrics create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // jvm_gc_pause_seconds and the allocation meters, fed by the collectors' notifications
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return new Metrics(registry, gc);
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
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    private record TimerKey(String method, String route, int status) {
    }

    /** Every meter in the Prometheus text exposition format (version 0.0.4). */
    String scrape() {
        return registry.scrape();
    }

    /** Stops listening to the garbage collectors' notifications. */
    @Override
    public void close() {
        gc.close();
    }
}
