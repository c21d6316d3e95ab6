package dev.switchboard.core.apikey;

import java.util.Optional;

/**
 * Port: finds the one stored key a presented key may be, by its lookup prefix. This is all
 * {@link ApiKeyAuthenticator} needs, so an embedder checking keys kept in its own table implements this one method
 * (a {@code Map} lookup will do in a test:
 * {@code ApiKeyLookup lookup = prefix -> Optional.ofNullable(map.get(prefix));}).
 *
 * <p>Implementations are thread-safe and throw {@link dev.switchboard.core.StoreUnavailableException} when the
 * backing store cannot be reached.
 */
@FunctionalInterface
public interface ApiKeyLookup {
    /**
     * The live key whose lookup prefix is {@code lookupPrefix}, with its app's active flag; empty when there is none,
     * including when the key with that prefix was revoked or rotated away. This is the one query not scoped by app:
     * it is how a presented key finds its app. An index makes it one row read whatever the number of keys.
     */
    Optional<ApiKeyCandidate> findByLookupPrefix(String lookupPrefix);
}
