package dev.switchboard.core.webhook;

import dev.switchboard.core.Backoff;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers of event processing: threads that claim batches of due events with a lease
 * ({@link WebhookEventStore#claim}) and apply them with an {@link EventBatchApplier}, so any number of instances
 * process side by side without doing an event twice while its lease lasts. An embedder that schedules processing
 * itself skips this class and calls the {@link EventBatchApplier}; no thread exists before {@link #start()}, and
 * {@link #processBatch()} works on the calling thread without it.
 *
 * <pre>{@code
 * EventProcessor processor = EventProcessor.create(events, processing, router, signal, clock,
 *         EventProcessor.Settings.defaults("instance-a", 4));
 * processor.start();
 * ...
 * processor.close();
 * }</pre>
 *
 * <p>A failed event becomes due again after {@link Settings#firstRetry()} doubled per attempt up to
 * {@link Settings#maxRetry()}; after {@link Settings#maxAttempts()} attempts it waits {@link Settings#parkedFor()}
 * between attempts (see {@link EventBatchApplier}).
 *
 * <p>As an {@link EventHandoff}, the processor also takes the events this instance's intake has just stored leased
 * to it ({@link BatchingWebhookEventStore#handOffTo}); a worker processes those first, in batches as above, without
 * claiming them. At most {@code workers × batchSize} wait so; beyond that, or while the processor is not running,
 * the intake stores unleased and the events are claimed. Handed events still waiting when the processor stops are
 * released ({@link WebhookEventStore#releaseLeases}), or, if that fails, claimed by any instance once their lease
 * ends.
 *
 * <p>Workers wait on the {@link EventSignal} between batches, at most {@link Settings#pollInterval()}, so an event
 * stored on this instance (or, through the signal, another one) is processed at once. A worker whose wait timed out
 * claims only when no worker of the instance has claimed for a poll interval by the injected clock, so an idle
 * instance polls the store once per interval whatever its number of workers. A worker that fails to claim waits
 * twice as long each time, up to 5 seconds. Thread-safe; {@link #start()} and {@link #close()} once each.
 */
public final class EventProcessor implements EventHandoff, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventProcessor.class);
    private static final Duration MAX_IDLE_AFTER_ERROR = Duration.ofSeconds(5);

    /**
     * How the processor runs.
     *
     * @param owner        this instance's name on leases (unique per instance)
     * @param workers      worker threads
     * @param batchSize    most events one worker claims at once
     * @param lease        how long a claimed event is kept from other claimers
     * @param pollInterval longest wait between claims when no signal comes
     * @param firstRetry   delay after the first failure
     * @param maxRetry     longest delay between attempts while attempts remain
     * @param maxAttempts  attempts after which a failing event is parked
     * @param parkedFor    delay between attempts of a parked event
     */
    public record Settings(String owner, int workers, int batchSize, Duration lease, Duration pollInterval,
                           Duration firstRetry, Duration maxRetry, int maxAttempts, Duration parkedFor) {
        public Settings {
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(lease, "lease");
            Objects.requireNonNull(pollInterval, "pollInterval");
            Objects.requireNonNull(firstRetry, "firstRetry");
            Objects.requireNonNull(maxRetry, "maxRetry");
            Objects.requireNonNull(parkedFor, "parkedFor");
            if (owner.isBlank() || owner.length() > 200) {
                throw new IllegalArgumentException("the owner has 1 to 200 characters");
            }
            if (workers < 1 || workers > 64) {
                throw new IllegalArgumentException("workers must be between 1 and 64");
            }
            if (batchSize < 1 || batchSize > 1000) {
                throw new IllegalArgumentException("batchSize must be between 1 and 1000");
            }
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be positive");
            }
            for (Duration d : List.of(lease, pollInterval, firstRetry, maxRetry, parkedFor)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("durations must be positive");
                }
            }
        }

        /**
         * The defaults for {@code owner} with {@code workers} threads: batches of 500 (each one transaction, so the
         * fixed cost of a claim and a commit is shared by many events), 60 s leases, a 200 ms poll,
         * retries after 1 s, 2 s, 4 s... up to 10 minutes, parked (one attempt a day) after 12 attempts.
         */
        public static Settings defaults(String owner, int workers) {
            return new Settings(owner, workers, 500, Duration.ofSeconds(60), Duration.ofMillis(200),
                    Duration.ofSeconds(1), Duration.ofMinutes(10), 12, Duration.ofDays(1));
        }

        /** When failed events are tried again. */
        public EventBatchApplier.Retries retries() {
            Duration first = firstRetry.compareTo(maxRetry) > 0 ? maxRetry : firstRetry;
            return new EventBatchApplier.Retries(Backoff.of(first, maxRetry), maxAttempts, parkedFor);
        }
    }

    private final WebhookEventStore events;
    private final EventBatchApplier applier;
    private final EventSignal signal;
    private final Clock clock;
    private final Settings settings;
    private final List<Thread> threads = new ArrayList<>();
    /** Events stored leased to this processor and handed over by the intake, in the order handed. */
    private final ConcurrentLinkedQueue<WebhookEvent> handed = new ConcurrentLinkedQueue<>();
    /** When a worker last claimed from the store (clock millis): idle workers poll once per interval between them. */
    private final AtomicLong lastClaim;
    /** How many handed events are waiting. */
    private final AtomicInteger handedCount = new AtomicInteger();
    private volatile boolean running;

    private EventProcessor(WebhookEventStore events, ProcessingStore processing, OrganisationRouter router,
                           EventSignal signal, Clock clock, Settings settings) {
        this.events = events;
        this.applier = EventBatchApplier.create(events, processing, router, clock, settings.retries());
        this.signal = signal;
        this.clock = clock;
        this.settings = settings;
        this.lastClaim = new AtomicLong(clock.millis());
    }

    /**
     * A processor, not started: it claims from {@code events} (and stores rerouted copies there) and applies the
     * batches in {@code processing}.
     */
    public static EventProcessor create(WebhookEventStore events, ProcessingStore processing,
                                        OrganisationRouter router, EventSignal signal, Clock clock,
                                        Settings settings) {
        return new EventProcessor(Objects.requireNonNull(events, "events"),
                Objects.requireNonNull(processing, "processing"), Objects.requireNonNull(router, "router"),
                Objects.requireNonNull(signal, "signal"), Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(settings, "settings"));
    }

    /** Starts the worker threads ({@code event-worker-N}, daemon). */
    public synchronized void start() {
        if (running || !threads.isEmpty()) {
            throw new IllegalStateException("the processor was already started");
        }
        running = true;
        for (int i = 0; i < settings.workers(); i++) {
            Thread worker = new Thread(this::work, "event-worker-" + (i + 1));
            worker.setDaemon(true);
            threads.add(worker);
            worker.start();
        }
        LOG.info("event processor {} started with {} workers", settings.owner(), settings.workers());
    }

    /**
     * Claims one batch of due events and processes it on the calling thread; returns how many events were claimed.
     * Used by the workers, and by tests to process deterministically. Throws
     * {@link dev.switchboard.core.StoreUnavailableException} when the events cannot be claimed.
     */
    public int processBatch() {
        List<WebhookEvent> claimed = takeHanded();
        if (claimed.isEmpty()) {
            lastClaim.set(clock.millis());
            claimed = events.claim(settings.batchSize(), clock.instant(), settings.lease(), settings.owner());
        }
        applier.apply(claimed);
        return claimed.size();
    }

    @Override
    public Optional<WebhookEventStore.Lease> reserve(int count) {
        if (count < 1 || !running) {
            return Optional.empty();
        }
        // a soft bound: writers reserving at once may each pass it by one batch
        if (handedCount.get() + count > settings.workers() * settings.batchSize()) {
            return Optional.empty();
        }
        return Optional.of(new WebhookEventStore.Lease(settings.owner(), clock.instant().plus(settings.lease())));
    }

    @Override
    public void accept(List<WebhookEvent> stored) {
        handedCount.addAndGet(stored.size());
        handed.addAll(stored);
    }

    /**
     * True for the one caller that finds no claim made for a poll interval; it counts as the claim. A clock set back
     * since the last claim counts as an interval gone by, so a wall clock corrected backwards never stops polling.
     */
    private boolean pollDue() {
        long last = lastClaim.get();
        long now = clock.millis();
        return (now - last >= settings.pollInterval().toMillis() || now < last) && lastClaim.compareAndSet(last, now);
    }

    /** Up to a batch of the handed events, oldest first; frees their room. */
    private List<WebhookEvent> takeHanded() {
        List<WebhookEvent> taken = new ArrayList<>();
        for (WebhookEvent event; taken.size() < settings.batchSize() && (event = handed.poll()) != null; ) {
            taken.add(event);
        }
        handedCount.addAndGet(-taken.size());
        return taken;
    }

    /** The delay before attempt {@code attempt + 1} after {@code attempt} failed ones (1-based). */
    Duration backoff(int failedAttempts) {
        return applier.retryDelay(failedAttempts);
    }

    private void work() {
        Backoff afterError = Backoff.of(settings.pollInterval().compareTo(MAX_IDLE_AFTER_ERROR) > 0
                ? MAX_IDLE_AFTER_ERROR : settings.pollInterval(), MAX_IDLE_AFTER_ERROR);
        int errors = 0;
        boolean woken = true;
        while (running) {
            try {
                // a wait that timed out claims only when no worker of this instance has for a poll interval: the
                // instance polls once per interval, not once per worker
                int claimed = woken || pollDue() ? processBatch() : 0;
                errors = 0;
                woken = true;
                if (claimed < settings.batchSize() && handed.isEmpty()) {
                    woken = signal.awaitNext(settings.pollInterval());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("event processing paused: {}", e.getMessage());
                try {
                    Thread.sleep(afterError.delay(++errors).toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Stops the workers after their current batch (waiting up to 10 seconds each). Idempotent. */
    @Override
    public void close() {
        // no interrupt: it could cut a JDBC call midway; a worker notices within one poll interval
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        releaseHanded();
    }

    /** Gives the handed events nobody took back to every claimer now, rather than when their lease ends. */
    private void releaseHanded() {
        List<UUID> left = new ArrayList<>();
        for (WebhookEvent event; (event = handed.poll()) != null; ) {
            left.add(event.id());
        }
        handedCount.addAndGet(-left.size());
        if (left.isEmpty()) {
            return;
        }
        try {
            int released = events.releaseLeases(left, settings.owner());
            LOG.info("{} webhook event(s) handed to this instance and not processed were released", released);
        } catch (RuntimeException e) {
            LOG.warn("{} webhook event(s) handed to this instance are claimed when their lease ends: {}",
                    left.size(), e.getClass().getSimpleName());
        }
    }
}
