package dev.switchboard.core.apikey;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of an app's API key, for {@code GET /internal/apps/{app_id}/api-key/status}.
 *
 * @param state     whether the app has an active key, had one that is now revoked, or never had one
 * @param keyHint   hint of the active key, else of the most recent one; empty when {@link State#NONE}
 * @param createdAt when that key was created; empty when {@link State#NONE}
 * @param revokedAt when that key stopped working; present only when {@link State#REVOKED}
 */
public record ApiKeyStatus(State state, Optional<String> keyHint, Optional<Instant> createdAt,
                           Optional<Instant> revokedAt) {
    /** Whether the app can currently authenticate with a key. */
    public enum State { ACTIVE, REVOKED, NONE }

    public ApiKeyStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(keyHint, "keyHint");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(revokedAt, "revokedAt");
        boolean hasKey = state != State.NONE;
        if (keyHint.isPresent() != hasKey || createdAt.isPresent() != hasKey
                || revokedAt.isPresent() != (state == State.REVOKED)) {
            throw new IllegalArgumentException("the fields do not fit the state " + state);
        }
    }

    /** The status of an app that never had a key. */
    public static ApiKeyStatus none() {
        return new ApiKeyStatus(State.NONE, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
