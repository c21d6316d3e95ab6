package dev.switchboard.core.oauth;

import java.util.Objects;

/** What Dialpad answered to a deauthorization. */
public sealed interface Revocation {
    /** The grant is revoked. */
    record Revoked() implements Revocation {
    }

    /** Dialpad refused (for instance the token was already invalid); {@code errorCode} is a short code. */
    record Refused(String errorCode, String description) implements Revocation {
        public Refused {
            RefreshHealth.validErrorCode(errorCode);
            Objects.requireNonNull(description, "description");
        }
    }

    /** Dialpad could not be reached or answered unusably. */
    record Unavailable(String reason) implements Revocation {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
