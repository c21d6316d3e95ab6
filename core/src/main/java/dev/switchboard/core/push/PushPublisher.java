package dev.switchboard.core.push;

/**
 * Port through which a push event reaches the app's WebSocket clients on every instance of the server, on its own.
 * The event processor does not use it: its pushes go out with the changes they report, in the same transaction
 * ({@link dev.switchboard.core.webhook.ProcessingStore.Transaction#publish}), and reach the same sockets.
 *
 * <p>Implementations deliver each published event to every socket of {@link PushEvent#appId()}, on every instance,
 * at most once per socket (the event id lets a receiver drop a repeat). Publishing never blocks on slow sockets.
 * Thread-safe. A publish that cannot reach the shared channel throws
 * {@link dev.switchboard.core.StoreUnavailableException}; the processed data is already stored, so a lost push
 * never loses data (clients can list calls and messages).
 */
public interface PushPublisher {
    /** Sends {@code event} to the app's sockets everywhere. */
    void publish(PushEvent event);
}
