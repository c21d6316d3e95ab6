package dev.switchboard.core.push;

/**
 * Port through which processed Dialpad events reach the app's WebSocket clients on every instance of the server.
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
