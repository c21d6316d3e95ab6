package dev.switchboard.core.webhook;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.SwitchboardException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the webhook inbox: a {@link WebhookEventStore} whose {@link #store} hands the event to a small
 * set of writer threads ({@link WebhookWriters}, started by the embedder) and waits; each writer takes every event
 * pending at that moment (up to {@link Settings#maxBatch()}) and writes them with one
 * {@link WebhookEventStore#storeAll} of the delegate, one transaction and one fsync for all. Each waiting caller
 * then gets its own {@link Stored}, so a webhook is still answered 200 only after its own event is durable, and a
 * failed transaction fails every caller of that batch (each answers 503 and Dialpad retries). Until writers are
 * started the inbox starts no thread and {@link #store} writes its event itself, in a batch of one.
 *
 * <p>Under no load a batch holds one event and costs what {@link WebhookEventStore#store} costs; under load, events
 * accumulate while a writer commits, which is what lets one PostgreSQL reach thousands of durable inserts a second.
 * After each written batch the {@link EventSignal} is woken so processing starts at once.
 *
 * <p>With an {@link EventHandoff} ({@link #handOffTo}) and a delegate that {@link WebhookEventStore#leasesOnStore()
 * leases on store}, a batch is stored leased to this instance's processor whenever the processor has room for it,
 * and its new events are handed to the processor after the commit: the processor then skips the claim (a statement
 * and a round trip per batch, and the only one it would make for an event arriving alone).
 *
 * <p>Every other method goes straight to the delegate. Thread-safe; {@link #close()} stops the writers and fails
 * whatever is still pending with {@link StoreUnavailableException}.
 */
public final class BatchingWebhookEventStore extends ForwardingWebhookEventStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchingWebhookEventStore.class);

    /**
     * How the batcher runs.
     *
     * @param writers  writer threads; two let one batch be built while the other commits
     * @param maxBatch most events in one transaction
     * @param maxWait  longest a caller waits for its batch before it gets {@link StoreUnavailableException} (its
     *                 event may still be written; a redelivery then finds it as a duplicate)
     */
    public record Settings(int writers, int maxBatch, Duration maxWait) {
        /**
         * Two writers, batches of up to 256, 4 seconds: Dialpad gives up after 5, and a 503 it sees is retried
         * while a timeout may not be.
         */
        public static final Settings DEFAULTS = new Settings(2, 256, Duration.ofSeconds(4));

        public Settings {
            Objects.requireNonNull(maxWait, "maxWait");
            if (writers < 1 || writers > 32) {
                throw new IllegalArgumentException("writers must be between 1 and 32");
            }
            if (maxBatch < 1 || maxBatch > 1000) {
                throw new IllegalArgumentException("maxBatch must be between 1 and 1000");
            }
            if (maxWait.isNegative() || maxWait.isZero()) {
                throw new IllegalArgumentException("maxWait must be positive");
            }
        }
    }

    private record Pending(NewWebhookEvent event, CompletableFuture<Stored> result) {
    }

    private final WebhookEventStore delegate;
    private final EventSignal signal;
    private final Settings settings;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private volatile WebhookWriters writers;
    private volatile boolean running = true;
    private volatile EventHandoff handoff;

    private BatchingWebhookEventStore(WebhookEventStore delegate, EventSignal signal, Settings settings) {
        super(delegate);
        this.delegate = delegate;
        this.signal = signal;
        this.settings = settings;
    }

    /**
     * An inbox batching into {@code delegate}, without writer threads until {@link WebhookWriters#start} is called
     * with it: until then each {@link #store} writes its own event.
     */
    public static BatchingWebhookEventStore create(WebhookEventStore delegate, EventSignal signal,
                                                   Settings settings) {
        return new BatchingWebhookEventStore(Objects.requireNonNull(delegate, "delegate"),
                Objects.requireNonNull(signal, "signal"), Objects.requireNonNull(settings, "settings"));
    }

    /** The settings this inbox was created with. */
    public Settings settings() {
        return settings;
    }

    /** Called once by {@link WebhookWriters#start}: from now on {@link #store} hands its events to the writers. */
    synchronized void attach(WebhookWriters started) {
        if (writers != null) {
            throw new IllegalStateException("the webhook inbox already has its writers");
        }
        if (!running) {
            throw new IllegalStateException("the webhook inbox is closed");
        }
        writers = started;
    }

    /**
     * From now on, hands the events of each batch to {@code handoff} when it has room for them (and the delegate can
     * lease them as it stores them); see the class comment.
     */
    public void handOffTo(EventHandoff handoff) {
        this.handoff = Objects.requireNonNull(handoff, "handoff");
    }

    /**
     * Stores {@code event} in the next batch and waits until that batch is committed. Throws
     * {@link StoreUnavailableException} when the batch failed, the wait exceeded {@link Settings#maxWait()}, the
     * caller was interrupted, or the batcher is closed.
     */
    @Override
    public Stored store(NewWebhookEvent event) {
        Objects.requireNonNull(event, "event");
        if (!running) {
            throw new StoreUnavailableException("the webhook inbox is shutting down", null);
        }
        Pending pending = new Pending(event, new CompletableFuture<>());
        if (writers == null) {
            // no writer thread: the caller writes its own batch of one
            writeBatch(List.of(pending));
            return await(pending);
        }
        queue.add(pending);
        if (!running) {
            // close() may have drained the queue just before our add; make sure nobody waits forever
            pending.result().completeExceptionally(
                    new StoreUnavailableException("the webhook inbox is shutting down", null));
        }
        return await(pending);
    }

    private Stored await(Pending pending) {
        try {
            return pending.result().get(settings.maxWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while storing a webhook event", e);
        } catch (TimeoutException e) {
            throw new StoreUnavailableException("storing a webhook event took longer than " + settings.maxWait(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof StoreUnavailableException unavailable) {
                throw new StoreUnavailableException(unavailable.getMessage(), unavailable);
            }
            throw new SwitchboardException("storing a webhook event failed: " + cause.getClass().getSimpleName(),
                    cause);
        }
    }

    /** Writes the events directly with the delegate, outside the batches. */
    @Override
    public List<Stored> storeAll(List<NewWebhookEvent> events) {
        List<Stored> stored = delegate.storeAll(events);
        signal.wake();
        return stored;
    }

    @Override
    public boolean leasesOnStore() {
        return delegate.leasesOnStore();
    }

    /** Writes the events directly with the delegate, leased, outside the batches. */
    @Override
    public List<Stored> storeAll(List<NewWebhookEvent> events, Lease lease) {
        List<Stored> stored = delegate.storeAll(events, lease);
        signal.wake();
        return stored;
    }

    /**
     * One turn of a writer thread: waits up to {@code maxWait} for an event, then writes it with every other pending
     * one. False once the inbox is closed and nothing is left to write: the writer is done.
     */
    boolean writeNext(Duration maxWait) {
        // once closing, the writers still write what was accepted before: its senders are waiting for their answer
        if (!running && queue.isEmpty()) {
            return false;
        }
        List<Pending> batch = new ArrayList<>(settings.maxBatch());
        try {
            Pending first = queue.poll(maxWait.toNanos(), TimeUnit.NANOSECONDS);
            if (first != null) {
                batch.add(first);
                queue.drainTo(batch, settings.maxBatch() - 1);
                writeBatch(batch);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failAll(batch, new StoreUnavailableException("the webhook inbox is shutting down", null));
            return false;
        }
    }

    private void writeBatch(List<Pending> batch) {
        List<NewWebhookEvent> events = batch.stream().map(Pending::event).toList();
        EventHandoff receiver = handoff;
        Optional<Lease> lease = receiver != null && delegate.leasesOnStore() ? receiver.reserve(events.size())
                : Optional.empty();
        List<Stored> results;
        try {
            results = lease.isPresent() ? delegate.storeAll(events, lease.get()) : delegate.storeAll(events);
            if (results.size() != batch.size()) {
                throw new IllegalStateException("storeAll returned " + results.size() + " results for "
                        + batch.size() + " events");
            }
        } catch (RuntimeException e) {
            LOG.warn("a batch of {} webhook events could not be stored: {}", batch.size(), e.getMessage());
            failAll(batch, e);
            return;
        }
        // committed: handed over before the callers are answered, so a caller's next request finds it handed
        if (lease.isPresent()) {
            try {
                receiver.accept(stored(events, results));
            } catch (RuntimeException e) {
                // stored all the same: the events are claimed by anyone when their lease ends
                LOG.warn("a batch of {} webhook events could not be handed to the processor: {}", batch.size(),
                        e.getClass().getSimpleName());
            }
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
        }
        signal.wake();
    }

    /** The events of the batch that are new rows, as stored, in batch order (the processor orders them). */
    private static List<WebhookEvent> stored(List<NewWebhookEvent> events, List<Stored> results) {
        List<WebhookEvent> stored = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            if (!results.get(i).duplicate()) {
                stored.add(WebhookEvent.received(results.get(i).id(), events.get(i)));
            }
        }
        return stored;
    }

    private static void failAll(List<Pending> batch, RuntimeException failure) {
        batch.forEach(p -> p.result().completeExceptionally(failure));
    }

    /**
     * Refuses new events, lets the writers write every event accepted before (each waits up to 15 seconds), and fails
     * whatever is still waiting after that. Idempotent.
     */
    @Override
    public void close() {
        running = false;
        WebhookWriters started = writers;
        if (started != null) {
            started.join(Duration.ofSeconds(15));
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        failAll(left, new StoreUnavailableException("the webhook inbox is shutting down", null));
    }
}
