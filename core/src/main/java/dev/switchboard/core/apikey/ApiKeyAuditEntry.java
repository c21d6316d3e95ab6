package dev.switchboard.core.apikey;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One line of an app's API key audit trail. Hints only: never a key, never a hash.
 *
 * @param appId   the app whose key changed
 * @param action  created, rotated or revoked
 * @param oldHint hint of the key that stopped working (rotated, revoked); empty for created
 * @param newHint hint of the key that started working (created, rotated); empty for revoked
 * @param actor   who did it, e.g. {@code internal_api}: 1 to {@value #MAX_ACTOR_LENGTH} characters
 * @param at      when
 * @param previousKeyExpiresAt for a rotation with a grace period, when the old key stops working; empty otherwise
 *                (the old key stopped at {@code at})
 */
public record ApiKeyAuditEntry(UUID appId, ApiKeyAction action, Optional<String> oldHint, Optional<String> newHint,
                               String actor, Instant at, Optional<Instant> previousKeyExpiresAt) {
    /** Longest actor accepted. */
    public static final int MAX_ACTOR_LENGTH = 100;

    public ApiKeyAuditEntry {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(oldHint, "oldHint");
        Objects.requireNonNull(newHint, "newHint");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(previousKeyExpiresAt, "previousKeyExpiresAt");
        if (previousKeyExpiresAt.isPresent()
                && (action != ApiKeyAction.ROTATED || !previousKeyExpiresAt.get().isAfter(at))) {
            throw new IllegalArgumentException("only a rotation has a grace end, and it is after the rotation");
        }
        oldHint.ifPresent(ApiKeyAuditEntry::checkHint);
        newHint.ifPresent(ApiKeyAuditEntry::checkHint);
        boolean shapeOk = switch (action) {
            case CREATED -> oldHint.isEmpty() && newHint.isPresent();
            case ROTATED -> oldHint.isPresent() && newHint.isPresent();
            case REVOKED -> oldHint.isPresent() && newHint.isEmpty();
        };
        if (!shapeOk) {
            throw new IllegalArgumentException("the hints do not fit the action " + action.code());
        }
        checkActor(actor);
    }

    /** An entry without a grace period. */
    public ApiKeyAuditEntry(UUID appId, ApiKeyAction action, Optional<String> oldHint, Optional<String> newHint,
                            String actor, Instant at) {
        this(appId, action, oldHint, newHint, actor, at, Optional.empty());
    }

    /** Throws IllegalArgumentException unless {@code actor} has 1 to {@value #MAX_ACTOR_LENGTH} characters. */
    public static String checkActor(String actor) {
        Objects.requireNonNull(actor, "actor");
        if (actor.isBlank() || actor.length() > MAX_ACTOR_LENGTH) {
            throw new IllegalArgumentException("an actor has 1 to " + MAX_ACTOR_LENGTH + " characters");
        }
        return actor;
    }

    private static void checkHint(String hint) {
        if (!ApiKeys.isHint(hint)) {
            throw new IllegalArgumentException("not a key hint");
        }
    }
}
