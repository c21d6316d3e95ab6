package dev.switchboard.core.webhook;

import java.util.Objects;

/** Outcome of creating an app's Dialpad webhook with its subscriptions. Expected failures are values. */
public sealed interface WebhookCreation {
    /**
     * Created at Dialpad and remembered here.
     *
     * @param callSubscriptionId Dialpad's id of the call subscription pointing at the webhook
     * @param smsSubscriptionId  Dialpad's id of the SMS subscription pointing at the webhook
     */
    record Created(DialpadWebhook webhook, String callSubscriptionId, String smsSubscriptionId)
            implements WebhookCreation {
        public Created {
            Objects.requireNonNull(webhook, "webhook");
            Objects.requireNonNull(callSubscriptionId, "callSubscriptionId");
            Objects.requireNonNull(smsSubscriptionId, "smsSubscriptionId");
        }
    }

    /** No app has this id. */
    record AppNotFound() implements WebhookCreation {
    }

    /** The app is inactive: nothing is delivered for it, so nothing is created. */
    record AppInactive() implements WebhookCreation {
    }

    /** The app has no Dialpad connection, or one that needs a reconnect: there is no token to act with. */
    record NotConnected() implements WebhookCreation {
    }

    /**
     * Dialpad refused or failed one step; whatever the earlier steps created at Dialpad has been deleted again (as
     * far as Dialpad let us) and nothing was stored here.
     */
    record DialpadFailed(DialpadStep step, DialpadFailure failure) implements WebhookCreation {
        public DialpadFailed {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(failure, "failure");
        }
    }
}
