package dev.switchboard.core.webhook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The writer threads of a {@link BatchingWebhookEventStore}: {@link BatchingWebhookEventStore.Settings#writers()}
 * daemon threads named {@code webhook-writer-N}, each writing every event pending when it looks, so one transaction
 * holds many. An embedder that wants no thread does not start them; the inbox then writes each event on its caller's
 * thread.
 *
 * <pre>{@code
 * BatchingWebhookEventStore inbox = BatchingWebhookEventStore.create(table, signal, Settings.DEFAULTS);
 * WebhookWriters.start(inbox);
 * ...
 * inbox.close(); // writes what was accepted, then stops the writers
 * }</pre>
 *
 * <p>The writers stop when the inbox is closed, once they have written everything it accepted before.
 */
public final class WebhookWriters {
    /** How long a writer waits for an event before it looks whether the inbox is closing. */
    private static final Duration POLL = Duration.ofMillis(200);

    private final List<Thread> threads;

    private WebhookWriters(List<Thread> threads) {
        this.threads = threads;
    }

    /** Starts the writer threads of {@code inbox}; once per inbox, before it is closed. */
    public static WebhookWriters start(BatchingWebhookEventStore inbox) {
        Objects.requireNonNull(inbox, "inbox");
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < inbox.settings().writers(); i++) {
            Thread writer = new Thread(() -> {
                while (inbox.writeNext(POLL)) {
                    // one batch per turn
                }
            }, "webhook-writer-" + (i + 1));
            writer.setDaemon(true);
            threads.add(writer);
        }
        WebhookWriters writers = new WebhookWriters(List.copyOf(threads));
        inbox.attach(writers);
        threads.forEach(Thread::start);
        return writers;
    }

    /** Waits for each writer to finish, at most {@code max} each; keeps the interrupt when interrupted. */
    void join(Duration max) {
        for (Thread thread : threads) {
            try {
                thread.join(max.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
