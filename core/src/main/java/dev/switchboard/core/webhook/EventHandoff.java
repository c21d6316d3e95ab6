package dev.switchboard.core.webhook;

import java.util.List;
import java.util.Optional;

/**
 * Where the intake of an instance hands the events it has just stored to the same instance's processor, so that
 * they are processed without being claimed from the store first: the events are stored already leased to the
 * processor ({@link WebhookEventStore#storeAll(List, WebhookEventStore.Lease)}), then handed over once committed. A
 * handed event that the processor does not get to (it stops, the instance dies) is claimed by any instance once its
 * lease ends. Implemented by {@link EventProcessor}; thread-safe.
 */
public interface EventHandoff {
    /**
     * The lease under which to store {@code count} events that will be handed over, or empty when they should not
     * be (no room for them now, or the processor is not running): they are then stored unleased and claimed.
     */
    Optional<WebhookEventStore.Lease> reserve(int count);

    /** Takes events stored under a lease of {@link #reserve}, in any order (the taker orders them). */
    void accept(List<WebhookEvent> events);
}
