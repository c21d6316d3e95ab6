package dev.switchboard.core.users;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Each app's mappings from Dialpad users to CRM users; at most one mapping per app and Dialpad user. Every method
 * is scoped by app id. Thread-safe and shared by every instance; throws
 * {@link dev.switchboard.core.StoreUnavailableException} when the backing store fails (nothing written then).
 */
public interface UserMappingStore {
    /**
     * Maps the Dialpad user to the CRM user. Re-mapping a mapped Dialpad user <em>updates</em> its mapping in place
     * (same id and creation time) and says so with {@link MappingOutcome.Remapped}; mapping it to the same CRM
     * user again is {@link MappingOutcome.Unchanged}. Concurrent calls for one Dialpad user are serialised.
     */
    MappingOutcome map(UUID appId, UserMappingRequest request);

    /**
     * Applies every request as {@link #map} would, in one transaction: all or nothing. Repeating an entry with the
     * same CRM user is allowed; mapping one Dialpad user to two CRM users in one batch is
     * {@link BatchMappingOutcome.Conflicting} and writes nothing.
     */
    BatchMappingOutcome mapAll(UUID appId, List<UserMappingRequest> requests);

    /** The app's mappings, oldest first. */
    List<UserMapping> list(UUID appId);

    /** The app's mapping of this Dialpad user, or empty. */
    Optional<UserMapping> findByDialpadUser(UUID appId, String dialpadUserId);

    /** The app's mappings to this CRM user (several Dialpad users may map to one CRM user), oldest first. */
    List<UserMapping> findByCrmUser(UUID appId, String crmUserId);

    /** Deletes the app's mapping with this id; false when the app has none such. */
    boolean delete(UUID appId, UUID mappingId);

    /** Deletes the app's mapping of this Dialpad user; false when there was none. */
    boolean deleteByDialpadUser(UUID appId, String dialpadUserId);
}
