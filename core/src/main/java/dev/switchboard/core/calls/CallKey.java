package dev.switchboard.core.calls;

import java.util.Objects;
import java.util.UUID;

/**
 * What identifies one call of one app: the app and Dialpad's call id (the same Dialpad call in two apps is two
 * calls). Immutable.
 */
public record CallKey(UUID appId, String dialpadCallId) {
    public CallKey {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(dialpadCallId, "dialpadCallId");
        if (dialpadCallId.isBlank()) {
            throw new IllegalArgumentException("dialpadCallId must not be blank");
        }
    }

    /** The key of {@code call}. */
    public static CallKey of(Call call) {
        return new CallKey(call.appId(), call.dialpadCallId());
    }
}
