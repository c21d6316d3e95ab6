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
 * @param previousKeyHint      hint of the key rotated away that is still in its grace period; present only with
 *                             {@code previousKeyExpiresAt}, and only when {@link State#ACTIVE}
 * @param previousKeyExpiresAt when that key's grace period ends
 */
public record ApiKeyStatus(State state, Optional<String> keyHint, Optional<Instant> createdAt,
                           Optional<Instant> revokedAt, Optional<String> previousKeyHint,
                           Optional<Instant> previousKeyExpiresAt) {
    /** Whether the app can currently authenticate with a key. */
    public enum State { ACTIVE, REVOKED, NONE }

    public ApiKeyStatus {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(keyHint, "keyHint");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(revokedAt, "revokedAt");
        Objects.requireNonNull(previousKeyHint, "previousKeyHint");
        Objects.requireNonNull(previousKeyExpiresAt, "previousKeyExpiresAt");
        boolean hasKey = state != State.NONE;
        if (keyHint.isPresent() != hasKey || createdAt.isPresent() != hasKey
                || revokedAt.isPresent() != (state == State.REVOKED)
                || previousKeyHint.isPresent() != previousKeyExpiresAt.isPresent()
                || (previousKeyHint.isPresent() && state != State.ACTIVE)) {
            throw new IllegalArgumentException("the fields do not fit the state " + state);
        }
    }

    /** A status without a previous key in grace. */
    public ApiKeyStatus(State state, Optional<String> keyHint, Optional<Instant> createdAt,
                        Optional<Instant> revokedAt) {
        this(state, keyHint, createdAt, revokedAt, Optional.empty(), Optional.empty());
    }

    /** This status as it stands at {@code now}: without the previous key when its grace has ended by then. */
    public ApiKeyStatus asOf(Instant now) {
        Objects.requireNonNull(now, "now");
        if (previousKeyExpiresAt.isEmpty() || now.isBefore(previousKeyExpiresAt.get())) {
            return this;
        }
        return new ApiKeyStatus(state, keyHint, createdAt, revokedAt);
    }

    /** The status of an app that never had a key. */
    public static ApiKeyStatus none() {
        return new ApiKeyStatus(State.NONE, Optional.empty(), Optional.empty(), Optional.empty());
    }
}
