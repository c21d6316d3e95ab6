package dev.switchboard.app;

import dev.switchboard.core.webhook.InboxCounts;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound event gauges of {@code /metrics}: {@code switchboard_events_backlog} (events not processed yet, failed
 * ones included), {@code switchboard_events_failed} (of those, the ones whose last attempt failed) and
 * {@code switchboard_events_lag_seconds} (how long the oldest event waiting for its first attempt has waited; 0 when
 * none waits). The table is shared by every instance, so each instance reports the same figures.
 *
 * <p>A scrape reads the last counts kept in memory, never the database: a background thread counts every
 * {@link #REFRESH_EVERY}, and a count that fails leaves the previous figures in place. Thread-safe; {@link #close()}
 * stops the thread.
 */
final class InboxMeters implements AutoCloseable {
    /** How often the counts are taken: each is one statement over the unprocessed events only. */
    static final Duration REFRESH_EVERY = Duration.ofSeconds(5);
    private static final Logger LOG = LoggerFactory.getLogger(InboxMeters.class);

    private final Supplier<InboxCounts> source;
    private final Clock clock;
    private final ScheduledExecutorService refresher;
    private volatile InboxCounts counts = InboxCounts.EMPTY;

    private InboxMeters(Supplier<InboxCounts> source, Clock clock, ScheduledExecutorService refresher) {
        this.source = source;
        this.clock = clock;
        this.refresher = refresher;
    }

    /** Registers the gauges on {@code registry} and starts counting from {@code source} at once, then periodically. */
    static InboxMeters start(Supplier<InboxCounts> source, MeterRegistry registry, Clock clock) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(clock, "clock");
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "inbox-meters");
            thread.setDaemon(true);
            return thread;
        });
        InboxMeters meters = new InboxMeters(source, clock, refresher);
        Gauge.builder("switchboard_events_backlog", meters, m -> m.counts.backlog())
                .description("Inbound webhook events not processed yet, failed ones waiting for a retry included")
                .register(registry);
        Gauge.builder("switchboard_events_failed", meters, m -> m.counts.failed())
                .description("Inbound webhook events whose last processing attempt failed")
                .register(registry);
        Gauge.builder("switchboard_events_lag_seconds", meters, InboxMeters::lagSeconds)
                .description("Age of the oldest inbound event waiting for its first processing attempt")
                .baseUnit("seconds")
                .register(registry);
        refresher.scheduleWithFixedDelay(meters::refreshQuietly, 0, REFRESH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return meters;
    }

    /** Counts now (the background thread does so every {@link #REFRESH_EVERY}); tests call it to skip the wait. */
    void refresh() {
        counts = source.get();
    }

    private void refreshQuietly() {
        try {
            refresh();
        } catch (RuntimeException e) {
            LOG.warn("the inbound event gauges keep their last figures: {}", e.getMessage());
        }
    }

    private double lagSeconds() {
        return counts.oldestWaiting()
                .map(oldest -> Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0))
                .orElse(0.0);
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
