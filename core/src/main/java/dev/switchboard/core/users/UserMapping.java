package dev.switchboard.core.users;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** One app's mapping of a Dialpad user to a user of the app's CRM. Unique per app and Dialpad user. */
public record UserMapping(UUID id, UUID appId, String dialpadUserId, String crmUserId, Instant createdAt) {
    public UserMapping {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(createdAt, "createdAt");
        UserMappingRequest.check("dialpadUserId", dialpadUserId);
        UserMappingRequest.check("crmUserId", crmUserId);
    }
}
