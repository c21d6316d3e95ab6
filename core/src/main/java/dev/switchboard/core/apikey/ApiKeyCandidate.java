package dev.switchboard.core.apikey;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The one stored key whose lookup prefix matches a presented key: what a check needs to decide, in one bcrypt
 * comparison, whether the presented key is this one and whether it may be used.
 *
 * @param appId      the app the key belongs to
 * @param bcryptHash the stored hash to compare the presented key with
 * @param hint       the key's hint, for logs and introspection
 * @param keyActive  false once the key was revoked or rotated away
 * @param appActive  the app's own active flag
 * @param graceEndsAt present for a key rotated away with a grace period: it keeps working until this instant
 *                   (exclusive), judged by the authenticator's clock; empty for the app's active key
 */
public record ApiKeyCandidate(UUID appId, String bcryptHash, String hint, boolean keyActive, boolean appActive,
                              Optional<Instant> graceEndsAt) {
    public ApiKeyCandidate {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(bcryptHash, "bcryptHash");
        Objects.requireNonNull(hint, "hint");
        Objects.requireNonNull(graceEndsAt, "graceEndsAt");
    }

    /** A candidate that is not in a grace period. */
    public ApiKeyCandidate(UUID appId, String bcryptHash, String hint, boolean keyActive, boolean appActive) {
        this(appId, bcryptHash, hint, keyActive, appActive, Optional.empty());
    }
}
