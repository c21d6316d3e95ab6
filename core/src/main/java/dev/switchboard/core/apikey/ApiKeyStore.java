package dev.switchboard.core.apikey;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where API keys (their hashes, lookup prefixes and hints: never a key) and the key audit trail live: the
 * administrative store, joining the role ports {@link ApiKeyLookup} and {@link ApiKeyIssuance} for adapters'
 * convenience. Services depend on the role port they call; a store that keeps an access generation also implements
 * {@link ApiKeyAccessGeneration}.
 *
 * <p>Promises: an app has at most one active key at any moment, plus at most one previous key rotated away with a
 * grace period (found by the lookup with its grace end, see {@link ApiKeyIssuance#createOrRotate(UUID, StoredApiKey,
 * String, Instant, java.time.Duration)}), also under concurrent writes from several instances; every write changes
 * the keys and appends its audit entry in one transaction, so the trail never misses or invents a change; lookup
 * prefixes are unique over the keys that can be found. A key revoked or rotated away without grace leaves the lookup
 * at once: {@link #findByLookupPrefix} no longer finds it, so presenting a dead key (or anything with its prefix)
 * costs no bcrypt comparison. What the trail and {@link #status} show of it (hint, times)
 * is kept.
 *
 * <p>Every method but {@link #findByLookupPrefix} is scoped to one app. An {@code actor} has 1 to
 * {@value ApiKeyAuditEntry#MAX_ACTOR_LENGTH} characters (else IllegalArgumentException, nothing written). Implementations are thread-safe and throw
 * {@link dev.switchboard.core.StoreUnavailableException} when the backing store cannot be reached, in which case
 * nothing was written.
 */
public interface ApiKeyStore extends ApiKeyLookup, ApiKeyIssuance {
    /**
     * Revokes the app's active key at {@code at}, and a previous key still in its grace period with it, so both stop
     * authenticating, and appends a {@link ApiKeyAction#REVOKED} entry (the active key's hint).
     *
     * @return the audit entry written, or empty when the app has no active key (or does not exist)
     */
    Optional<ApiKeyAuditEntry> revoke(UUID appId, String actor, Instant at);

    /**
     * The state of the app's key: its active key (with the previous key while it is in grace, or whose grace may
     * have ended: see {@link ApiKeyStatus#asOf}), else its most recent revoked key, else none.
     */
    ApiKeyStatus status(UUID appId);

    /** The app's key audit trail, oldest first; empty for an unknown app. */
    List<ApiKeyAuditEntry> audit(UUID appId);
}
