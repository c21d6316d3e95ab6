package dev.switchboard.core.webhook;

import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.calls.CallKey;
import dev.switchboard.core.messages.SmsEvent;
import java.util.UUID;

/** What a claimed event comes to before its batch is applied (see {@link EventBatchApplier}). */
sealed interface PreparedEvent {
    /** The stored event. */
    WebhookEvent event();

    /** Ready to apply in the batch's transaction. */
    sealed interface Work extends PreparedEvent {
    }

    /** A call event of {@code appId}. */
    record CallWork(WebhookEvent event, UUID appId, CallEvent call) implements Work {
        CallKey key() {
            return new CallKey(appId, call.dialpadCallId());
        }
    }

    /** An SMS event of {@code appId}. */
    record SmsWork(WebhookEvent event, UUID appId, SmsEvent sms) implements Work {
    }

    /** Nothing to store (unknown kind, or rerouted): only marked processed. */
    record Nothing(WebhookEvent event) implements Work {
    }

    /** The event cannot be processed now. */
    record Failed(WebhookEvent event, String error) implements PreparedEvent {
    }
}
