package dev.switchboard.core.calls;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where calls live, per app. Every method takes the app id and only ever reads or writes that app's rows: the same
 * Dialpad call id in two apps is two calls. Implementations are thread-safe and shared by every instance of the
 * server; they throw {@link dev.switchboard.core.StoreUnavailableException} when the backing store fails, in which
 * case nothing was written.
 */
public interface CallStore {
    /**
     * Folds {@code event} into the app's call with the event's Dialpad call id (creating it on its first event)
     * with {@link CallMerge}, atomically: concurrent events of one call are serialised, so none is lost, and the
     * result is the same whatever their order. When the call first gets a voicemail URL, its {@link Voicemail} is
     * created in the same transaction; a known voicemail follows later changes of the call. Writes of the event
     * processor ({@link dev.switchboard.core.webhook.ProcessingStore}) serialise with these on the same calls.
     *
     * @return the call after the event and what the event changed (nothing for a duplicate)
     */
    CallUpdate apply(UUID appId, CallEvent event);

    /** The app's call with Switchboard's id {@code id}, or empty (also when it belongs to another app). */
    Optional<Call> find(UUID appId, UUID id);

    /** The app's call with this Dialpad call id, or empty. */
    Optional<Call> findByDialpadId(UUID appId, String dialpadCallId);

    /** The app's calls matching {@code filter}, newest start first (calls without a start last), with the total. */
    CallPage list(UUID appId, CallFilter filter);

    /** The app's ringing or active calls, newest start first, at most {@code limit} (1 to 1000). */
    List<Call> active(UUID appId, int limit);
}
