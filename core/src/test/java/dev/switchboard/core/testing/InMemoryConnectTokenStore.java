package dev.switchboard.core.testing;

import dev.switchboard.core.oauth.ConnectTokenStore;
import dev.switchboard.core.oauth.ConnectToken;
import dev.switchboard.core.oauth.SecretHash;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * In-memory {@link ConnectTokenStore} with the port's semantics: bounded openings, one completion. One lock makes
 * every method atomic. Usage: {@code ConnectLinks.create(apps, new InMemoryConnectTokenStore(), audit, clock, random)}.
 */
public final class InMemoryConnectTokenStore implements ConnectTokenStore {
    private final Map<SecretHash, ConnectToken> tokens = new HashMap<>();
    private final Map<SecretHash, Integer> flowsStarted = new HashMap<>();
    private final Set<SecretHash> completed = new HashSet<>();

    @Override
    public synchronized void save(ConnectToken token) {
        tokens.put(token.tokenHash(), token);
    }

    @Override
    public synchronized Optional<ConnectToken> open(UUID appId, SecretHash tokenHash, Instant now, int maxFlows) {
        ConnectToken token = tokens.get(tokenHash);
        int started = flowsStarted.getOrDefault(tokenHash, 0);
        if (token == null || !token.appId().equals(appId) || completed.contains(tokenHash)
                || !now.isBefore(token.expiresAt()) || started >= maxFlows) {
            return Optional.empty();
        }
        flowsStarted.put(tokenHash, started + 1);
        return Optional.of(token);
    }

    @Override
    public synchronized boolean canComplete(SecretHash tokenHash) {
        return tokens.containsKey(tokenHash) && !completed.contains(tokenHash);
    }

    @Override
    public synchronized boolean complete(SecretHash tokenHash, Instant now) {
        return tokens.containsKey(tokenHash) && completed.add(tokenHash);
    }

    @Override
    public synchronized int purgeExpired(Instant cutoff) {
        int before = tokens.size();
        tokens.values().removeIf(token -> !cutoff.isBefore(token.expiresAt()));
        completed.retainAll(tokens.keySet());
        flowsStarted.keySet().retainAll(tokens.keySet());
        return before - tokens.size();
    }

    /** The tokens kept, by hash. */
    public synchronized Map<SecretHash, ConnectToken> tokens() {
        return Map.copyOf(tokens);
    }
}
