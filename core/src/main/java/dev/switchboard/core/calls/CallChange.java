package dev.switchboard.core.calls;

/**
 * What folding one event changed in a call, computed by comparing the call after the event with the call before
 * (so a duplicate or stale event yields none). The push events of the data API follow from these:
 * {@code call.ring} from {@link #RANG}, {@code call.started} from {@link #ANSWERED}, {@code call.ended} from
 * {@link #ENDED}, {@code call.recording} from {@link #RECORDING_ADDED}, {@code voicemail.received} from
 * {@link #VOICEMAIL_ADDED}. Events can arrive out of order, so one event may yield several changes at once (a
 * hangup carrying {@code date_connected} that arrives first yields ANSWERED and ENDED together).
 */
public enum CallChange {
    /**
     * The call was not known before and is now known while live (ringing or active): reported once per call,
     * whichever of its events is applied first, so a {@code connected} applied before the {@code ringing} still
     * rings (with {@link #ANSWERED}), and the late {@code ringing} reports nothing. A call first known as already
     * over (a hangup, missed, voicemail... applied first) never reports it: there is nothing left to ring.
     */
    RANG,
    /** The call is now known to have been answered, and was not before. */
    ANSWERED,
    /** The call now has a terminal status, and did not before. */
    ENDED,
    /** The status differs from the one before (including a terminal status refined, e.g. ended to voicemail). */
    STATUS_CHANGED,
    /** The call now has a recording URL, and had none before. */
    RECORDING_ADDED,
    /** The call now has a voicemail URL, and had none before. */
    VOICEMAIL_ADDED,
    /** Anything at all differs from the call before; absent exactly when the event added nothing. */
    UPDATED
}
