package dev.switchboard.core.apikey;

import java.util.Objects;
import java.util.UUID;

/** Result of checking a presented API key. Expected failures are values, not exceptions. */
public sealed interface ApiKeyCheck {
    /**
     * The key is the app's active key and the app is active.
     *
     * @param appId   the authenticated app
     * @param keyHint the hint of the key used, for logs and introspection
     */
    record Authenticated(UUID appId, String keyHint) implements ApiKeyCheck {
        public Authenticated {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(keyHint, "keyHint");
        }
    }

    /** The key was refused; the HTTP layer answers 401 (or 403 for {@link Reason#APP_INACTIVE}). */
    record Rejected(Reason reason) implements ApiKeyCheck {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Why a key was refused. REVOKED and APP_INACTIVE are only ever given for the genuine key. */
    enum Reason {
        /** No key was presented. */
        MISSING,
        /** Something was presented, but it is not {@code raw_} + 64 lowercase hex digits. */
        MALFORMED,
        /** Well formed, but no stored key matches it. */
        UNKNOWN,
        /** The genuine key, but revoked or rotated away. */
        REVOKED,
        /** The genuine, active key of an app that is deactivated. */
        APP_INACTIVE
    }
}
