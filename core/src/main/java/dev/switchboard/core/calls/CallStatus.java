package dev.switchboard.core.calls;

import java.util.Locale;
import java.util.Optional;

/**
 * What a call is, as the data API shows it. {@link #jsonName()} is the lowercase name used in JSON and in the
 * database. Ranked for merging: {@link #RINGING} &lt; {@link #ACTIVE} &lt; every terminal status; see
 * {@link CallMerge} for how terminal statuses rank among themselves.
 */
public enum CallStatus {
    RINGING, ACTIVE, ENDED, MISSED, REJECTED, VOICEMAIL;

    /** The lowercase JSON name, e.g. {@code "voicemail"}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for a status a call never leaves for a non-terminal one: ended, missed, rejected, voicemail. */
    public boolean isTerminal() {
        return this != RINGING && this != ACTIVE;
    }

    /** The status named {@code json} (exact lowercase name), or empty for anything else. */
    public static Optional<CallStatus> fromJson(String json) {
        if (json == null) {
            return Optional.empty();
        }
        for (CallStatus status : values()) {
            if (status.jsonName().equals(json)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
