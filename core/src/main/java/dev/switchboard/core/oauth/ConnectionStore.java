package dev.switchboard.core.oauth;

import java.util.Optional;
import java.util.UUID;

/**
 * Port: Dialpad connections, one per app, shared by every instance of the server.
 *
 * <p>Implementations keep both tokens encrypted at rest, are thread-safe, and are safe across instances: refreshing
 * is coordinated with a <em>lease</em> (an owner name and an expiry) so that exactly one instance refreshes a
 * connection at a time, because Dialpad rotates refresh tokens and two concurrent refreshes would kill the
 * connection. A lease whose expiry has passed may be taken over.
 *
 * <p>The services take the role each needs: {@link ConnectionsByOrganisation}, {@link ConnectionLookup},
 * {@link RefreshLeases}; this whole store is for the adapter that keeps connections and the service that connects and
 * disconnects apps. Every method scoped to an app touches only that
 * app's row. Infrastructure failures throw {@link dev.switchboard.core.StoreUnavailableException}.
 */
public interface ConnectionStore extends ConnectionsByOrganisation, ConnectionLookup, RefreshLeases {
    /**
     * Stores the connection of {@code connection.appId()}, replacing any previous one (a reconnect), with its refresh
     * health as given and no lease. The app must exist (callers check it first); a lease held on the replaced
     * connection is dropped, so a refresher still working on the old grant cannot overwrite the new tokens.
     *
     * @return the connection replaced, with its tokens as they were at the moment of replacing (read and replaced
     *         atomically, so a concurrent refresh cannot rotate them in between), so that its grant can be revoked;
     *         empty when the app was not connected
     */
    Optional<Connection> save(Connection connection);

    /** Deletes the app's connection (disconnect); true when there was one. */
    boolean delete(UUID appId);
}
