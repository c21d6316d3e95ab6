package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** A fake {@link OAuthFlowStore} with the port's single-use semantics. */
final class InMemoryOAuthFlowStore implements OAuthFlowStore {
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
        return flow.isExpiredAt(now) ? new Consumption.Expired(flow.appId()) : new Consumption.Pending(flow);
    }

    @Override
    public synchronized int purgeExpired(Instant now) {
        int before = pending.size() + consumed.size();
        pending.values().removeIf(flow -> flow.isExpiredAt(now));
        consumed.values().removeIf(flow -> flow.isExpiredAt(now));
        return before - pending.size() - consumed.size();
    }

    synchronized boolean isPending(SecretHash stateHash) {
        return pending.containsKey(stateHash);
    }

    synchronized Map<SecretHash, OAuthFlow> pending() {
        return Map.copyOf(pending);
    }
}
