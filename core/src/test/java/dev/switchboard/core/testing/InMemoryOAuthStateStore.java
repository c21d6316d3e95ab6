package dev.switchboard.core.testing;

import dev.switchboard.core.oauth.OAuthStateStore;
import dev.switchboard.core.oauth.PendingState;
import dev.switchboard.core.oauth.SecretHash;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * In-memory {@link OAuthStateStore} with the port's semantics: a state is consumed at most once, an expired one is
 * reported without its verifier. One lock makes every method atomic. Usage:
 * {@code OAuthStates.create(new InMemoryOAuthStateStore<>(), binding, pkce::newVerifier, clock, random)}.
 *
 * @param <C> the type of the caller's context
 */
public final class InMemoryOAuthStateStore<C> implements OAuthStateStore<C> {
    private final Map<SecretHash, PendingState<C>> pending = new HashMap<>();

    @Override
    public synchronized void save(PendingState<C> state) {
        if (pending.putIfAbsent(state.stateHash(), state) != null) {
            throw new IllegalArgumentException("a flow with this state is already kept");
        }
    }

    @Override
    public synchronized Consumption<C> consume(SecretHash stateHash, Instant now) {
        PendingState<C> state = pending.remove(stateHash);
        if (state == null) {
            return new Consumption.NotFound<>();
        }
        return state.isExpiredAt(now) ? new Consumption.Expired<>(state.context()) : new Consumption.Pending<>(state);
    }

    /** How many flows are pending (neither consumed nor purged). */
    public synchronized int size() {
        return pending.size();
    }
}
