package dev.switchboard.core.apikey;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Port: makes a freshly issued key an app's one active key, as {@link dev.switchboard.core.apps.AppAdministration}
 * does when it creates an app or issues a key. See {@link ApiKeyStore} for the promises of a full key store.
 */
@FunctionalInterface
public interface ApiKeyIssuance {
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

    /** The longest grace period a rotation may give the old key: 7 days. */
    Duration MAX_GRACE = Duration.ofDays(7);

    /**
     * As {@link #createOrRotate(UUID, StoredApiKey, String, Instant)}, but when the app has an active key and
     * {@code grace} is positive, that key keeps working until {@code at + grace} (its lookup then returns it with
     * that grace end) and the entry records the end. At most one previous key is in grace: a key still in its grace
     * from an earlier rotation stops at {@code at}. Without an active key the grace is ignored.
     *
     * <p>The default serves only a zero grace (a store without grace periods); stores that keep them override it.
     *
     * @throws IllegalArgumentException when {@code grace} is negative or longer than {@link #MAX_GRACE}
     */
    default Optional<ApiKeyAuditEntry> createOrRotate(UUID appId, StoredApiKey key, String actor, Instant at,
                                                      Duration grace) {
        checkGrace(grace);
        if (!grace.isZero()) {
            throw new UnsupportedOperationException("this key store keeps no key in a grace period");
        }
        return createOrRotate(appId, key, actor, at);
    }

    /** Throws unless {@code grace} is between zero and {@link #MAX_GRACE}; returns it. */
    static Duration checkGrace(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
            throw new IllegalArgumentException("a grace period lasts 0 to 604800 seconds");
        }
        return grace;
    }
}
