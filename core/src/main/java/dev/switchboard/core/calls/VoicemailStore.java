package dev.switchboard.core.calls;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The voicemails of each app (written with their calls, by {@link CallStore#apply} or by the event processor's
 * {@link dev.switchboard.core.webhook.ProcessingStore}). Every method is scoped by app id.
 * Thread-safe; throws {@link dev.switchboard.core.StoreUnavailableException} when the backing store fails.
 */
public interface VoicemailStore {
    /** The app's voicemails, newest first, {@code limit} 1 to 100 from {@code offset}. */
    List<Voicemail> list(UUID appId, int limit, int offset);

    /** How many voicemails the app has. */
    long count(UUID appId);

    /** The app's voicemail with this id, or empty (also when it belongs to another app). */
    Optional<Voicemail> find(UUID appId, UUID id);

    /**
     * Deletes the app's voicemail; true when one was deleted. The call keeps its voicemail URL and a later event
     * of the call does not bring the voicemail back (it is created only when the call first gets a voicemail).
     */
    boolean delete(UUID appId, UUID id);
}
