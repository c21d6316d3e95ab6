package dev.switchboard.core.webhook;

import java.util.Objects;

/** Outcome of deleting an app's Dialpad webhook, at Dialpad and here. Expected failures are values. */
public sealed interface WebhookRemoval {
    /** Deleted at Dialpad (or already gone there) and forgotten here. */
    record Removed(DialpadWebhook webhook) implements WebhookRemoval {
        public Removed {
            Objects.requireNonNull(webhook, "webhook");
        }
    }

    /** Switchboard knows no webhook with this id. */
    record NotFound() implements WebhookRemoval {
    }

    /** The webhook's app has no usable Dialpad connection, so it cannot be deleted at Dialpad; nothing changed. */
    record NotConnected(DialpadWebhook webhook) implements WebhookRemoval {
        public NotConnected {
            Objects.requireNonNull(webhook, "webhook");
        }
    }

    /**
     * Dialpad refused or failed a deletion (other than "not found"); the webhook is still remembered here, so that
     * deleting it again retries. Subscriptions deleted before the failure stay deleted.
     */
    record DialpadFailed(DialpadWebhook webhook, DialpadStep step, DialpadFailure failure) implements WebhookRemoval {
        public DialpadFailed {
            Objects.requireNonNull(webhook, "webhook");
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(failure, "failure");
        }
    }
}
