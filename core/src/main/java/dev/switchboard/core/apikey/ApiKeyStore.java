package dev.switchboard.core.apikey;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Where API keys (their hashes, lookup prefixes and hints: never a key) and the key audit trail live.
 *
 * <p>Promises: an app has at most one active key at any moment, also under concurrent writes from several
 * instances; every write changes the keys and appends its audit entry in one transaction, so the trail never
 * misses or invents a change; lookup prefixes are unique over the keys that can be found. A key revoked or rotated
 * away leaves the lookup at once: {@link #findByLookupPrefix} no longer finds it, so presenting a dead key (or
 * anything with its prefix) costs no bcrypt comparison. What the trail and {@link #status} show of it (hint, times)
 * is kept.
 *
 * <p>Every method but {@link #findByLookupPrefix} is scoped to one app. An {@code actor} has 1 to
 * {@value ApiKeyAuditEntry#MAX_ACTOR_LENGTH} characters (else IllegalArgumentException, nothing written). Implementations are thread-safe and throw
 * {@link dev.switchboard.core.StoreUnavailableException} when the backing store cannot be reached, in which case
 * nothing was written.
 */
public interface ApiKeyStore {
    /**
     * Makes {@code key} the app's one active key. When the app already has an active key, that key is revoked at
     * {@code at} in the same transaction and the entry is {@link ApiKeyAction#ROTATED} (old and new hints);
     * otherwise it is {@link ApiKeyAction#CREATED}.
     *
     * @return the audit entry written, or empty when there is no app with this id (nothing is written)
     * @throws IllegalStateException when another key already uses this lookup prefix (a 64-bit collision: the
     *                               caller may issue a fresh key and try again)
     */
    Optional<ApiKeyAuditEntry> createOrRotate(UUID appId, StoredApiKey key, String actor, Instant at);

    /**
     * Revokes the app's active key at {@code at}, so it stops authenticating, and appends a
     * {@link ApiKeyAction#REVOKED} entry.
     *
     * @return the audit entry written, or empty when the app has no active key (or does not exist)
     */
    Optional<ApiKeyAuditEntry> revoke(UUID appId, String actor, Instant at);

    /** The state of the app's key: its active key, else its most recent revoked key, else none. */
    ApiKeyStatus status(UUID appId);

    /** The app's key audit trail, oldest first; empty for an unknown app. */
    List<ApiKeyAuditEntry> audit(UUID appId);

    /**
     * The live key whose lookup prefix is {@code lookupPrefix}, with its app's active flag; empty when there is none,
     * including when the key with that prefix was revoked or rotated away. This is the one query not scoped by app:
     * it is how a presented key finds its app. An index makes it one row read whatever the number of keys.
     */
    Optional<ApiKeyCandidate> findByLookupPrefix(String lookupPrefix);

    /**
     * A number that every committed change able to withdraw a key's access moves forward: a key revoked or rotated
     * away, a key row removed, an app deactivated or removed (creating a key need not move it). A caller that saw
     * the same number before and after reading a key's row knows that row still holds, without reading it again;
     * one cheap read tells a cache of verified keys whether any of them may have lost its access.
     *
     * <p>Empty when the store keeps no such number (the default): callers then re-read each key's row on their own
     * schedule.
     */
    default OptionalLong accessGeneration() {
        return OptionalLong.empty();
    }
}
