package dev.switchboard.core.users;

import java.util.Objects;

/** Outcome of mapping one Dialpad user. None is an error. */
public sealed interface MappingOutcome {
    /** The mapping as stored now. */
    UserMapping mapping();

    /** The Dialpad user had no mapping; it has now. */
    record Created(UserMapping mapping) implements MappingOutcome {
        public Created {
            Objects.requireNonNull(mapping, "mapping");
        }
    }

    /** The Dialpad user was mapped to another CRM user; the mapping (same id) now points at the new one. */
    record Remapped(UserMapping mapping, String previousCrmUserId) implements MappingOutcome {
        public Remapped {
            Objects.requireNonNull(mapping, "mapping");
            Objects.requireNonNull(previousCrmUserId, "previousCrmUserId");
        }
    }

    /** The Dialpad user was already mapped to this CRM user; nothing changed. */
    record Unchanged(UserMapping mapping) implements MappingOutcome {
        public Unchanged {
            Objects.requireNonNull(mapping, "mapping");
        }
    }
}
