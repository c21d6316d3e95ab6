package dev.switchboard.core.users;

import java.util.Objects;
import java.util.UUID;

/**
 * A Dialpad user as one app knows it: the key of a user mapping. The id is trimmed and checked as
 * {@link UserMappingRequest} checks it (IllegalArgumentException otherwise; see
 * {@link UserMappingRequest#isValidId}). Immutable.
 */
public record DialpadUser(UUID appId, String dialpadUserId) {
    public DialpadUser {
        Objects.requireNonNull(appId, "appId");
        dialpadUserId = UserMappingRequest.check("dialpadUserId", dialpadUserId);
    }
}
