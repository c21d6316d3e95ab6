package dev.switchboard.core.testing;

import dev.switchboard.core.webhook.NewWebhookEvent;
import dev.switchboard.core.webhook.WebhookEvent;
import dev.switchboard.core.webhook.WebhookEventStatus;
import dev.switchboard.core.webhook.WebhookEventStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The webhook inbox in memory, with the claim, lease and failure semantics of {@link WebhookEventStore}; it leases
 * on store when created so. Lease owners are not kept. Thread-safe (every method is synchronized); subclasses may
 * count or slow down calls.
 */
public class InMemoryWebhookEventStore implements WebhookEventStore {
    private final Map<UUID, WebhookEvent> events = new LinkedHashMap<>();
    private final Map<UUID, Instant> leases = new HashMap<>();
    private final Clock clock;
    private final boolean leasesOnStore;

    /** An empty inbox that does not lease on store, whose processed marks are stamped by {@code clock}. */
    public InMemoryWebhookEventStore(Clock clock) {
        this(clock, false);
    }

    /** An empty inbox, leasing what {@link #storeAll(List, Lease)} inserts when {@code leasesOnStore}. */
    public InMemoryWebhookEventStore(Clock clock, boolean leasesOnStore) {
        this.clock = clock;
        this.leasesOnStore = leasesOnStore;
    }

    @Override
    public boolean leasesOnStore() {
        return leasesOnStore;
    }

    /** Stores the events, the new ones leased until the lease ends when this store leases on store. */
    @Override
    public synchronized List<Stored> storeAll(List<NewWebhookEvent> events, Lease lease) {
        List<Stored> stored = storeAll(events);
        if (leasesOnStore) {
            stored.stream().filter(one -> !one.duplicate()).forEach(one -> leases.put(one.id(), lease.until()));
        }
        return stored;
    }

    @Override
    public synchronized Stored store(NewWebhookEvent event) {
        for (WebhookEvent existing : events.values()) {
            if (existing.appId().equals(event.appId()) && existing.deduplicationKey().equals(event.deduplicationKey())
                    && (event.appId().isPresent() || existing.organisationId().equals(event.organisationId()))) {
                return new Stored(existing.id(), true);
            }
        }
        UUID id = UUID.randomUUID();
        events.put(id, new WebhookEvent(id, event.appId(), event.organisationId(), event.kind(),
                event.deduplicationKey(), event.payload(), WebhookEventStatus.RECEIVED, 0, Optional.empty(),
                event.receivedAt(), Optional.of(event.receivedAt()), Optional.empty()));
        return new Stored(id, false);
    }

    @Override
    public synchronized List<WebhookEvent> claim(int limit, Instant now, Duration lease, String owner) {
        List<WebhookEvent> claimed = new ArrayList<>();
        for (WebhookEvent e : events.values()) {
            boolean due = e.status() != WebhookEventStatus.PROCESSED && e.nextAttemptAt().isPresent()
                    && !e.nextAttemptAt().get().isAfter(now);
            Instant leased = leases.get(e.id());
            if (due && (leased == null || !leased.isAfter(now)) && claimed.size() < limit) {
                leases.put(e.id(), now.plus(lease));
                claimed.add(e);
            }
        }
        return claimed;
    }

    /** Ends the leases of the unprocessed events of {@code ids} (the fake does not keep lease owners). */
    @Override
    public synchronized int releaseLeases(Collection<UUID> ids, String owner) {
        int released = 0;
        for (UUID id : ids) {
            WebhookEvent e = events.get(id);
            if (e != null && e.status() != WebhookEventStatus.PROCESSED && leases.remove(id) != null) {
                released++;
            }
        }
        return released;
    }

    @Override
    public synchronized boolean markProcessed(UUID id) {
        WebhookEvent e = events.get(id);
        if (e == null) {
            return false;
        }
        leases.remove(id);
        events.put(id, new WebhookEvent(id, e.appId(), e.organisationId(), e.kind(), e.deduplicationKey(),
                e.payload(), WebhookEventStatus.PROCESSED, e.attempts(), e.lastError(), e.receivedAt(),
                Optional.empty(), Optional.of(clock.instant())));
        notifyAll();
        return true;
    }

    @Override
    public synchronized boolean markFailed(UUID id, String error, Instant nextAttemptAt) {
        WebhookEvent e = events.get(id);
        if (e == null) {
            return false;
        }
        leases.remove(id);
        events.put(id, new WebhookEvent(id, e.appId(), e.organisationId(), e.kind(), e.deduplicationKey(),
                e.payload(), WebhookEventStatus.FAILED, e.attempts() + 1, Optional.of(error), e.receivedAt(),
                Optional.of(nextAttemptAt), Optional.empty()));
        return true;
    }

    /** Makes a processed event due again, as if its processing had never been recorded. */
    public synchronized void reopen(UUID id) {
        WebhookEvent e = events.get(id);
        events.put(id, new WebhookEvent(id, e.appId(), e.organisationId(), e.kind(), e.deduplicationKey(),
                e.payload(), WebhookEventStatus.RECEIVED, e.attempts(), e.lastError(), e.receivedAt(),
                Optional.of(e.receivedAt()), Optional.empty()));
    }

    /**
     * Waits until the event {@code id} is processed, at most {@code max}; true when it is. For tests of threads
     * that process events.
     */
    public synchronized boolean awaitProcessed(UUID id, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (events.get(id) == null || events.get(id).status() != WebhookEventStatus.PROCESSED) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    @Override
    public synchronized Optional<WebhookEvent> find(UUID id) {
        return Optional.ofNullable(events.get(id));
    }

    @Override
    public synchronized long backlog() {
        return events.values().stream().filter(e -> e.status() != WebhookEventStatus.PROCESSED).count();
    }
}
