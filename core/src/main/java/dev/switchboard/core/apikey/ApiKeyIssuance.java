package dev.switchboard.core.apikey;

import java.time.Instant;
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
}
