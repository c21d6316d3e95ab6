package dev.switchboard.core.calls;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The {@code state} of a Dialpad call event (DIALPAD.md, "Call states") and what each one says about the call.
 *
 * <p>A state is evidence, not a command: {@link CallMerge} folds the set of states seen into a status, so the
 * order in which Dialpad delivers them does not matter. Each constant has a fixed {@link #bit()} used to keep the
 * set of states seen as a 64-bit mask in storage; bits are never renumbered. A state this enum does not know is
 * read as {@link #OTHER}, so a new Dialpad state is kept and never rejects an event.
 */
public enum DialpadCallState {
    CALLING("calling", 0, Meaning.RINGING),
    RINGING("ringing", 1, Meaning.RINGING),
    PREANSWER("preanswer", 2, Meaning.RINGING),
    QUEUED("queued", 3, Meaning.RINGING),
    CONNECTED("connected", 4, Meaning.CONNECTED),
    HOLD("hold", 5, Meaning.CONNECTED),
    MERGED("merged", 6, Meaning.CONNECTED),
    PARKED("parked", 7, Meaning.CONNECTED),
    TRANSCRIPTION("transcription", 8, Meaning.INFORMATION),
    CALL_TRANSCRIPTION("call_transcription", 9, Meaning.INFORMATION),
    RECORDING("recording", 10, Meaning.RECORDING),
    ADMIN_RECORDING("admin_recording", 11, Meaning.RECORDING),
    VOICEMAIL("voicemail", 12, Meaning.VOICEMAIL),
    VOICEMAIL_UPLOADED("voicemail_uploaded", 13, Meaning.VOICEMAIL),
    MISSED("missed", 14, Meaning.MISSED),
    HANGUP("hangup", 15, Meaning.ENDED),
    POSTCALL("postcall", 16, Meaning.ENDED),
    DISPOSITIONS("dispositions", 17, Meaning.INFORMATION),
    CSAT("csat", 18, Meaning.INFORMATION),
    PCSAT("pcsat", 19, Meaning.INFORMATION),
    BLOCKED("blocked", 20, Meaning.REJECTED),
    BARGE("barge", 21, Meaning.CONNECTED),
    MONITOR("monitor", 22, Meaning.CONNECTED),
    TAKEOVER("takeover", 23, Meaning.CONNECTED),
    ADMIN("admin", 24, Meaning.INFORMATION),
    AI_PLAYBOOK("ai_playbook", 25, Meaning.INFORMATION),
    RECAP_SUMMARY("recap_summary", 26, Meaning.INFORMATION),
    RECAP_OUTCOME("recap_outcome", 27, Meaning.INFORMATION),
    RECAP_PURPOSES("recap_purposes", 28, Meaning.INFORMATION),
    RECAP_ACTION_ITEMS("recap_action_items", 29, Meaning.INFORMATION),
    /** Any state not listed above (including a future {@code recap_*}): kept, changes nothing. */
    OTHER("other", 63, Meaning.INFORMATION);

    /**
     * What a state tells about the call.
     * <ul>
     * <li>{@code RINGING}: the call exists and is not answered yet (calling, ringing, preanswer, queued).</li>
     * <li>{@code CONNECTED}: the call was answered (connected, and hold, merged, parked, barge, monitor, takeover,
     *     which only happen on an answered call).</li>
     * <li>{@code ENDED}: the call is over (hangup; postcall, sent after the call).</li>
     * <li>{@code MISSED}: nobody answered (missed).</li>
     * <li>{@code REJECTED}: the call was refused (blocked).</li>
     * <li>{@code VOICEMAIL}: the caller left a voicemail (voicemail, voicemail_uploaded).</li>
     * <li>{@code RECORDING}: a recording exists (recording, admin_recording); the status does not change.</li>
     * <li>{@code INFORMATION}: data about the call (transcripts, dispositions, surveys, recaps, admin, playbooks);
     *     the status does not change.</li>
     * </ul>
     */
    public enum Meaning { RINGING, CONNECTED, ENDED, MISSED, REJECTED, VOICEMAIL, RECORDING, INFORMATION }

    private static final Map<String, DialpadCallState> BY_WIRE = EnumSet.complementOf(EnumSet.of(OTHER)).stream()
            .collect(Collectors.toUnmodifiableMap(DialpadCallState::wireName, Function.identity()));

    private final String wireName;
    private final int bit;
    private final Meaning meaning;

    DialpadCallState(String wireName, int bit, Meaning meaning) {
        this.wireName = wireName;
        this.bit = bit;
        this.meaning = meaning;
    }

    /** The state as Dialpad spells it ({@code "other"} for {@link #OTHER}). */
    public String wireName() {
        return wireName;
    }

    /** The fixed bit of this state in a {@link #toMask mask}. */
    public int bit() {
        return bit;
    }

    /** What this state says about the call. */
    public Meaning meaning() {
        return meaning;
    }

    /** The state Dialpad calls {@code wire} (compared case-insensitively), or {@link #OTHER}. */
    public static DialpadCallState fromWire(String wire) {
        if (wire == null) {
            return OTHER;
        }
        return BY_WIRE.getOrDefault(wire.strip().toLowerCase(Locale.ROOT), OTHER);
    }

    /** The states of {@code states} as a bit mask (see {@link #bit()}). */
    public static long toMask(Set<DialpadCallState> states) {
        long mask = 0;
        for (DialpadCallState state : states) {
            mask |= 1L << state.bit;
        }
        return mask;
    }

    /** The states whose bits are set in {@code mask}; unknown bits are ignored. */
    public static Set<DialpadCallState> fromMask(long mask) {
        EnumSet<DialpadCallState> states = EnumSet.noneOf(DialpadCallState.class);
        for (DialpadCallState state : values()) {
            if ((mask & (1L << state.bit)) != 0) {
                states.add(state);
            }
        }
        return states;
    }
}
