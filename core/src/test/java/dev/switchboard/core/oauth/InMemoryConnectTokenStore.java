package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** A fake {@link ConnectTokenStore} with the port's single-use semantics. */
final class InMemoryConnectTokenStore implements ConnectTokenStore {
    private final Map<SecretHash, ConnectToken> tokens = new HashMap<>();
    private final Set<SecretHash> used = new HashSet<>();

    @Override
    public synchronized void save(ConnectToken token) {
        tokens.put(token.tokenHash(), token);
    }

    @Override
    public synchronized boolean consume(UUID appId, SecretHash tokenHash, Instant now) {
        ConnectToken token = tokens.get(tokenHash);
        if (token == null || !token.appId().equals(appId) || used.contains(tokenHash)
                || !now.isBefore(token.expiresAt())) {
            return false;
        }
        used.add(tokenHash);
        return true;
    }

    @Override
    public synchronized int purgeExpired(Instant now) {
        int before = tokens.size();
        tokens.values().removeIf(token -> !now.isBefore(token.expiresAt()));
        used.retainAll(tokens.keySet());
        return before - tokens.size();
    }

    synchronized Map<SecretHash, ConnectToken> tokens() {
        return Map.copyOf(tokens);
    }
}
