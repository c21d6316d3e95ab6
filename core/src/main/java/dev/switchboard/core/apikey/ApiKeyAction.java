package dev.switchboard.core.apikey;

import java.util.Locale;

/** What happened to an app's API key, as the key audit trail records it. */
public enum ApiKeyAction {
    /** The app had no active key and got one. */
    CREATED,
    /**
     * The app's active key was replaced by a new one; the old one stopped working at that moment, or keeps working
     * until the grace end the entry records.
     */
    ROTATED,
    /**
     * The app's active key was revoked, and with it a previous key still in its grace period; the app has no key
     * until a new one is created.
     */
    REVOKED;

    /** The lowercase name stored and shown: {@code created}, {@code rotated}, {@code revoked}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The action with this {@link #code()}; IllegalArgumentException for anything else. */
    public static ApiKeyAction fromCode(String code) {
        for (ApiKeyAction action : values()) {
            if (action.code().equals(code)) {
                return action;
            }
        }
        throw new IllegalArgumentException("unknown API key action");
    }
}
