package dev.switchboard.core.calls;

import java.util.Objects;
import java.util.Optional;

/**
 * A party of a call as Dialpad describes it: the {@code target} (the Dialpad user, office or group the call is
 * for) or the {@code contact} (the other side). Every part is optional; at least one is present.
 */
public record CallParty(Optional<String> id, Optional<String> type, Optional<String> name, Optional<String> phone) {
    public CallParty {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(phone, "phone");
        if (id.isEmpty() && type.isEmpty() && name.isEmpty() && phone.isEmpty()) {
            throw new IllegalArgumentException("a call party needs at least one of id, type, name, phone");
        }
    }

    /** A party built from nullable parts, or empty when every part is null. */
    public static Optional<CallParty> of(String id, String type, String name, String phone) {
        if (id == null && type == null && name == null && phone == null) {
            return Optional.empty();
        }
        return Optional.of(new CallParty(Optional.ofNullable(id), Optional.ofNullable(type),
                Optional.ofNullable(name), Optional.ofNullable(phone)));
    }
}
