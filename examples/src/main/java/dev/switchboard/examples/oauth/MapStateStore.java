package dev.switchboard.examples.oauth;

import dev.switchboard.core.oauth.OAuthStateStore;
import dev.switchboard.core.oauth.PendingState;
import dev.switchboard.core.oauth.SecretHash;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The embedder's own store of pending flows: a map, enough for one instance (a service with several instances keeps
 * the same two operations in its database, {@code consume} as one {@code DELETE ... RETURNING}). Thread-safe.
 *
 * @param <C> what the embedder keeps with each flow
 */
// tag::store[]
public final class MapStateStore<C> implements OAuthStateStore<C> {
    private final ConcurrentMap<SecretHash, PendingState<C>> pending = new ConcurrentHashMap<>();

    @Override
    public void save(PendingState<C> state) {
        pending.put(state.stateHash(), state);
    }

    @Override
    public Consumption<C> consume(SecretHash stateHash, Instant now) {
        PendingState<C> state = pending.remove(stateHash); // atomic: a state is used once
        if (state == null) {
            return new Consumption.NotFound<>();
        }
        return state.isExpiredAt(now) ? new Consumption.Expired<>(state.context()) : new Consumption.Pending<>(state);
    }
}
// end::store[]
