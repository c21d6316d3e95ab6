package dev.switchboard.core.push;

import java.util.function.Consumer;

/**
 * Port through which an instance receives every {@link PushEvent} published on any instance (itself included), to
 * hand it to its own WebSocket clients. It is the receiving half of {@link PushPublisher}: an event reaches each
 * subscriber once per publish, through the shared channel only (never also by a local shortcut, which would deliver
 * it twice).
 *
 * <p>Delivery is best effort: while the instance is cut off from the shared channel, events published meanwhile are
 * not replayed; the data behind them stays stored and clients can list it. Thread-safe.
 */
public interface PushFeed {
    /**
     * Registers {@code subscriber}, which from now on is called with each event of every app, on one dispatch thread,
     * in the order the channel delivers them. The subscriber must return quickly and never block (hand the event to
     * a queue); an exception it throws is logged and does not stop delivery to it or to others.
     *
     * @return the handle that ends this subscription
     */
    Subscription subscribe(Consumer<PushEvent> subscriber);

    /** One registration on a {@link PushFeed}; closing it stops deliveries to it, and closing twice does nothing. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
