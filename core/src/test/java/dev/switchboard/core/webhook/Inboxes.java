package dev.switchboard.core.webhook;

/** Batching inboxes for tests, with their writer threads running. */
final class Inboxes {
    private Inboxes() {
    }

    static BatchingWebhookEventStore withWriters(WebhookEventStore delegate, EventSignal signal,
                                                 BatchingWebhookEventStore.Settings settings) {
        BatchingWebhookEventStore inbox = BatchingWebhookEventStore.create(delegate, signal, settings);
        WebhookWriters.start(inbox);
        return inbox;
    }
}
