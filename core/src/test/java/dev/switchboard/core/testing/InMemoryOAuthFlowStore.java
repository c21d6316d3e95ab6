package dev.switchboard.core.testing;

import dev.switchboard.core.oauth.SecretHash;
import dev.switchboard.core.oauth.OAuthFlowStore;
import dev.switchboard.core.oauth.OAuthFlow;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * In-memory {@link OAuthFlowStore} with the port's single-use semantics; one lock makes every method atomic. Usage:
 * {@code OAuthFlows.create(apps, tokens, new InMemoryOAuthFlowStore(), binding, pkce, audit, clock, random)}.
 */
public final class InMemoryOAuthFlowStore implements OAuthFlowStore {
    private final Map<SecretHash, OAuthFlow> pending = new HashMap<>();
    private final Map<SecretHash, OAuthFlow> consumed = new HashMap<>();

    @Override
    public synchronized void save(OAuthFlow flow) {
        if (pending.putIfAbsent(flow.stateHash(), flow) != null) {
            throw new IllegalStateException("duplicate state");
        }
    }

    @Override
    public synchronized Consumption consume(SecretHash stateHash, Instant now) {
        OAuthFlow flow = pending.remove(stateHash);
        if (flow == null) {
            return new Consumption.NotFound();
        }
        consumed.put(stateHash, flow);
        return flow.isExpiredAt(now) ? new Consumption.Expired(flow.origin()) : new Consumption.Pending(flow);
    }

    @Override
    public synchronized int purgeExpired(Instant now) {
        int before = pending.size() + consumed.size();
        pending.values().removeIf(flow -> flow.isExpiredAt(now));
        consumed.values().removeIf(flow -> flow.isExpiredAt(now));
        return before - pending.size() - consumed.size();
    }

    /** True while the flow with this state hash is kept and not consumed. */
    public synchronized boolean isPending(SecretHash stateHash) {
        return pending.containsKey(stateHash);
    }

    /** The flows not consumed yet, by state hash. */
    public synchronized Map<SecretHash, OAuthFlow> pending() {
        return Map.copyOf(pending);
    }
}
