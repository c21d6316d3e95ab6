package dev.switchboard.core.calls;

import java.util.Locale;
import java.util.Optional;

/** Which way a call goes, seen from the Dialpad user: {@code inbound} or {@code outbound} in JSON. */
public enum CallDirection {
    INBOUND, OUTBOUND;

    /** The lowercase JSON name. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The direction named {@code json}, compared case-insensitively, or empty. */
    public static Optional<CallDirection> fromJson(String json) {
        if (json == null) {
            return Optional.empty();
        }
        String lower = json.strip().toLowerCase(Locale.ROOT);
        for (CallDirection direction : values()) {
            if (direction.jsonName().equals(lower)) {
                return Optional.of(direction);
            }
        }
        return Optional.empty();
    }
}
