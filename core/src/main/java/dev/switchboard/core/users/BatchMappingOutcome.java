package dev.switchboard.core.users;

import java.util.List;
import java.util.Objects;

/** Outcome of a batch of mappings: all applied, or none (with the first entry that prevented it). */
public sealed interface BatchMappingOutcome {
    /** Every entry was applied, in order; {@code outcomes.get(i)} is the outcome of entry {@code i}. */
    record Applied(List<MappingOutcome> outcomes) implements BatchMappingOutcome {
        public Applied {
            outcomes = List.copyOf(outcomes);
        }
    }

    /**
     * Nothing was applied: entry {@code index} maps a Dialpad user that an earlier entry of the same batch maps to
     * another CRM user, so the batch has no single meaning.
     */
    record Conflicting(int index, String dialpadUserId) implements BatchMappingOutcome {
        public Conflicting {
            Objects.requireNonNull(dialpadUserId, "dialpadUserId");
        }
    }
}
