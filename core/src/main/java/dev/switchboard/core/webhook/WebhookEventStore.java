package dev.switchboard.core.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The durable inbox of webhook events. A delivery is answered 2xx only after {@link #store} returned, so the
 * store must have written the event durably by then. Implementations are thread-safe and shared by every instance;
 * they throw {@link dev.switchboard.core.StoreUnavailableException} when the backing store fails (the webhook
 * endpoint then answers 503 so Dialpad retries).
 */
public interface WebhookEventStore {
    /** Result of storing one event: its id, and whether it was already stored (a redelivery). */
    record Stored(UUID id, boolean duplicate) {
        public Stored {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * A lease taken on events as they are stored ({@link #storeAll(List, Lease)}): {@code owner} holds them until
     * {@code until}, as if it had claimed them.
     */
    record Lease(String owner, Instant until) {
        public Lease {
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(until, "until");
        }
    }

    /**
     * Stores the event unless one with the same deduplication key is stored for the same app (for an unrouted
     * event: for the same organisation, or among organisation-less unrouted events). Idempotent and safe under
     * concurrency: of any number of concurrent stores of one event, exactly one returns {@code duplicate=false}
     * and all return the same id.
     */
    Stored store(NewWebhookEvent event);

    /**
     * Stores several events in one transaction, as {@link #store} would one by one, and returns one result per
     * event in the same order: all are durable when this returns, or none is written and it throws. An event that
     * repeats an earlier one of the same list (same app or organisation and key) gets the earlier one's id with
     * {@code duplicate=true}. This is the group commit behind {@link BatchingWebhookEventStore}: one commit (one
     * fsync) for many concurrent deliveries. The default stores them one by one, without the single transaction.
     */
    default List<Stored> storeAll(List<NewWebhookEvent> events) {
        return events.stream().map(this::store).toList();
    }

    /**
     * True when {@link #storeAll(List, Lease)} leases the events it stores; false (the default) when it cannot, and
     * the events it stores are left to {@link #claim}.
     */
    default boolean leasesOnStore() {
        return false;
    }

    /**
     * Stores like {@link #storeAll(List)} and, in the same transaction, leases every event it inserts to
     * {@code lease}, as {@link #claim} would: no claimer takes them while the lease lasts, so the caller can hand
     * them to its own processor without claiming them, and once the lease ends they are due to anyone, as a claimed
     * event whose claimer vanished. A duplicate keeps its row, and its lease, as they were. Only when
     * {@link #leasesOnStore()}; the default stores without leasing.
     */
    default List<Stored> storeAll(List<NewWebhookEvent> events, Lease lease) {
        return storeAll(events);
    }

    /**
     * Claims up to {@code limit} events due at {@code now} (received, or failed with a next attempt due) that no
     * live lease holds, oldest due first, and leases them to {@code owner} until {@code now + lease}. Claimers on
     * any number of instances never get the same event while its lease lasts (row locks skipped, not waited on).
     * A claimed event that is neither marked processed nor failed before its lease ends is claimed again.
     */
    List<WebhookEvent> claim(int limit, Instant now, Duration lease, String owner);

    /**
     * Ends the leases {@code owner} holds on the events of {@code ids} that are not processed, so any claimer may take
     * them now; returns how many were released. For a processor that stops with events leased to it and not
     * processed. The default releases nothing: the leases then run out.
     */
    default int releaseLeases(Collection<UUID> ids, String owner) {
        return 0;
    }

    /** Marks the event processed (never claimed again); false when there is no such event. */
    boolean markProcessed(UUID id);

    /**
     * Marks every event of {@code ids} processed, as {@link #markProcessed} would each; returns how many were
     * marked. The default marks them one by one; implementations do it in one statement.
     */
    default int markAllProcessed(Collection<UUID> ids) {
        int marked = 0;
        for (UUID id : ids) {
            marked += markProcessed(id) ? 1 : 0;
        }
        return marked;
    }

    /**
     * Marks the event failed with {@code error} (one line, no secret; cut to 1000 characters), counts the attempt
     * and makes it due again at {@code nextAttemptAt}; false when there is no such event. Other events are
     * claimed meanwhile: a failing event never blocks those behind it.
     */
    boolean markFailed(UUID id, String error, Instant nextAttemptAt);

    /** The event with this id, or empty. Administrative: not scoped by app. */
    Optional<WebhookEvent> find(UUID id);

    /** How many events are not processed yet (received or failed). */
    long backlog();
}
