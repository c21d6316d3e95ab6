package dev.switchboard.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail of refused webhook deliveries, aggregated so that a flood cannot grow the append-only log: at most
 * one {@code webhook_rejected} row per client address, reason and minute (UTC, on the injected clock), saying how
 * many deliveries it stands for. The row is written once its minute has ended, by a flusher that looks every
 * {@link #FLUSH_EVERY}; it has no app id (the app named in a forged delivery's path did nothing), the client
 * address, and the details {@code reason}, {@code count} and {@code path} ({@code shared}, {@code app}, or both,
 * comma separated). The log gets one warning per row, not one per delivery.
 *
 * <p>Memory is bounded: at most {@code maxWindows} minutes of (address, reason) are open at once, in a Caffeine
 * cache. When a flood of addresses fills it, the windows it evicts are written at once with their count so far, so
 * no rejection goes uncounted; a later rejection of an evicted window opens a new one (two rows for that minute,
 * whose counts add up). Writes run on one background thread; while it is behind by {@link #WRITE_BACKLOG} writes,
 * the thread that evicts writes itself, which slows the flood rather than growing a queue. {@link #close()} writes
 * every open window, ended or not. A write that fails is logged with its count and not retried.
 *
 * <p>Thread-safe.
 */
public final class WebhookRejectionAudit implements AutoCloseable {
    /** How often ended windows are looked for and written. */
    public static final Duration FLUSH_EVERY = Duration.ofSeconds(5);
    /** The most windows open at once by default. */
    public static final long DEFAULT_MAX_WINDOWS = 10_000;
    /** Writes waiting for the background thread before the evicting thread writes itself. */
    static final int WRITE_BACKLOG = 1_000;
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final String ACTOR = "dialpad";
    private static final Logger LOG = LoggerFactory.getLogger(WebhookRejectionAudit.class);

    /** One minute of one client's rejections for one reason. */
    private record Window(String client, String reason, Instant start) {
        Instant end() {
            return start.plus(WINDOW);
        }
    }

    /** How many rejections a window holds so far, and on which paths. Immutable: merged, never changed. */
    private record Tally(long count, Set<String> paths) {
        static Tally one(String path) {
            return new Tally(1, Set.of(path));
        }

        Tally plus(Tally other) {
            if (paths.containsAll(other.paths)) {
                return new Tally(count + other.count, paths);
            }
            Set<String> union = new TreeSet<>(paths);
            union.addAll(other.paths);
            return new Tally(count + other.count, Set.copyOf(union));
        }
    }

    private final AuditLog audit;
    private final Clock clock;
    private final Cache<Window, Tally> open;
    private final Optional<ScheduledExecutorService> flusher;
    private final Optional<ThreadPoolExecutor> writer;

    private WebhookRejectionAudit(AuditLog audit, Clock clock, long maxWindows, Executor executor,
                                  Optional<ScheduledExecutorService> flusher, Optional<ThreadPoolExecutor> writer) {
        this.audit = audit;
        this.clock = clock;
        this.flusher = flusher;
        this.writer = writer;
        this.open = Caffeine.newBuilder()
                .maximumSize(maxWindows)
                .executor(executor)
                .removalListener((Window window, Tally tally, RemovalCause cause) -> {
                    // windows this class removes itself are written by whoever removed them
                    if (cause.wasEvicted() && window != null && tally != null) {
                        write(window, tally);
                    }
                })
                .build();
    }

    /**
     * Aggregates into {@code audit} with at most {@code maxWindows} open windows, and starts the background flusher
     * and writer (daemon threads; {@link #close()} stops them).
     */
    public static WebhookRejectionAudit start(AuditLog audit, Clock clock, long maxWindows) {
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(clock, "clock");
        ThreadPoolExecutor writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(WRITE_BACKLOG), daemon("webhook-rejection-audit-writer"),
                new ThreadPoolExecutor.CallerRunsPolicy());
        ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(
                daemon("webhook-rejection-audit-flusher"));
        WebhookRejectionAudit aggregator = new WebhookRejectionAudit(audit, clock, positive(maxWindows), writer,
                Optional.of(flusher), Optional.of(writer));
        flusher.scheduleWithFixedDelay(aggregator::flushEndedQuietly, FLUSH_EVERY.toMillis(), FLUSH_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        return aggregator;
    }

    /** As {@link #start} with {@link #DEFAULT_MAX_WINDOWS}. */
    public static WebhookRejectionAudit start(AuditLog audit, Clock clock) {
        return start(audit, clock, DEFAULT_MAX_WINDOWS);
    }

    /**
     * An aggregator without threads of its own (tests): evicted windows are written on the thread that evicts them,
     * ended ones when {@link #flushEnded()} is called.
     */
    static WebhookRejectionAudit unscheduled(AuditLog audit, Clock clock, long maxWindows) {
        return new WebhookRejectionAudit(Objects.requireNonNull(audit, "audit"), Objects.requireNonNull(clock, "clock"),
                positive(maxWindows), Runnable::run, Optional.empty(), Optional.empty());
    }

    /**
     * Counts one refused delivery.
     *
     * @param client the client address, when known
     * @param reason why it was refused, e.g. {@code bad_signature}
     * @param path   which webhook path it came to: {@code shared} or {@code app}
     */
    public void record(Optional<String> client, String reason, String path) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(path, "path");
        Window window = new Window(client.orElse(""), reason, clock.instant().truncatedTo(ChronoUnit.MINUTES));
        open.asMap().merge(window, Tally.one(path), Tally::plus);
    }

    /** Writes every window whose minute has ended on the clock, and forgets it. */
    public void flushEnded() {
        Instant now = clock.instant();
        for (Window window : open.asMap().keySet()) {
            if (!window.end().isAfter(now)) {
                writeRemoved(window);
            }
        }
    }

    /** Writes every open window, ended or not, and forgets it (a rejection counted later opens a new one). */
    public void flushAll() {
        open.asMap().keySet().forEach(this::writeRemoved);
    }

    /** How many windows are open now (for tests of the bound). */
    long openWindows() {
        open.cleanUp();
        return open.estimatedSize();
    }

    /** Stops the threads, then writes every open window, ended or not, so that nothing counted is lost. */
    @Override
    public void close() {
        flusher.ifPresent(ScheduledExecutorService::shutdown);
        flushAll();
        // after the last removals: evictions already handed to the writer are written before it stops
        writer.ifPresent(ThreadPoolExecutor::shutdown);
        try {
            if (writer.isPresent()) {
                writer.get().awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeRemoved(Window window) {
        // the removal and the last merge are atomic: a rejection counted after it opens a new window
        Tally tally = open.asMap().remove(window);
        if (tally != null) {
            write(window, tally);
        }
    }

    private void flushEndedQuietly() {
        try {
            flushEnded();
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again
            LOG.warn("could not flush the webhook rejection audit: {}", e.getClass().getSimpleName());
        }
    }

    private void write(Window window, Tally tally) {
        String path = String.join(",", new TreeSet<>(tally.paths()));
        Optional<String> client = window.client().isEmpty() ? Optional.empty() : Optional.of(window.client());
        LOG.atWarn().addKeyValue("event", "webhook_rejected").addKeyValue("reason", window.reason())
                .addKeyValue("count", tally.count()).addKeyValue("client_ip", client.orElse("unknown"))
                .log("{} webhook deliveries rejected ({}) on the {} path in the minute from {}", tally.count(),
                        window.reason(), path, window.start());
        try {
            audit.record(new AuditEvent(window.start(), AuditEventType.WEBHOOK_REJECTED, Optional.empty(), ACTOR,
                    client, Map.of("reason", window.reason(), "count", Long.toString(tally.count()), "path", path)));
        } catch (RuntimeException e) {
            LOG.warn("could not audit {} webhook rejections: {}", tally.count(), e.getClass().getSimpleName());
        }
    }

    private static long positive(long maxWindows) {
        if (maxWindows < 1) {
            throw new IllegalArgumentException("at least one window must fit");
        }
        return maxWindows;
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
