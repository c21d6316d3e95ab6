package dev.switchboard.core.webhook;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** Outcome of one webhook delivery handed to {@link WebhookIntake}. Expected failures are values. */
public sealed interface WebhookReceipt {
    /**
     * The delivery is authentic and durably stored: one event per app it was routed to, or one unrouted event.
     *
     * @param events         what the store said for each stored event
     * @param appIds         the apps the events belong to, in the order of {@code events}; empty when unrouted
     * @param organisationId the organisation id stored with the event(s), when one was found
     */
    record Stored(List<WebhookEventStore.Stored> events, List<UUID> appIds, Optional<String> organisationId)
            implements WebhookReceipt {
        public Stored {
            events = List.copyOf(events);
            appIds = List.copyOf(appIds);
            Objects.requireNonNull(organisationId, "organisationId");
            if (events.isEmpty()) {
                throw new IllegalArgumentException("a stored delivery has at least one event");
            }
        }

        /** True when every event of the delivery was already stored: the whole delivery is a redelivery. */
        public boolean duplicate() {
            return events.stream().allMatch(WebhookEventStore.Stored::duplicate);
        }

        /** True when no app took the event; it is kept as unrouted. */
        public boolean unrouted() {
            return appIds.isEmpty();
        }
    }

    /** The delivery was refused before anything was stored; see {@link WebhookCheck.Reason}. */
    record Rejected(WebhookCheck.Reason reason) implements WebhookReceipt {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The per-app path names an app that does not exist. */
    record UnknownApp(UUID appId) implements WebhookReceipt {
        public UnknownApp {
            Objects.requireNonNull(appId, "appId");
        }
    }
}
