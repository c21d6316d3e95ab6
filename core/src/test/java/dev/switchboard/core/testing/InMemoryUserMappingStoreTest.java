package dev.switchboard.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.users.BatchMappingOutcome;
import dev.switchboard.core.users.MappingOutcome;
import dev.switchboard.core.users.UserMappingRequest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InMemoryUserMappingStoreTest {
    private final UUID app = UUID.randomUUID();
    private final InMemoryUserMappingStore store =
            new InMemoryUserMappingStore(Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC));

    @Test
    void mapWhenRepeatedOrMovedThenUnchangedOrRemappedInPlace() {
        MappingOutcome created = store.map(app, new UserMappingRequest("dp-1", "crm-1"));
        MappingOutcome same = store.map(app, new UserMappingRequest("dp-1", "crm-1"));
        MappingOutcome moved = store.map(app, new UserMappingRequest("dp-1", "crm-2"));

        assertThat(created).isInstanceOf(MappingOutcome.Created.class);
        assertThat(same).isEqualTo(new MappingOutcome.Unchanged(created.mapping()));
        assertThat(moved).isInstanceOf(MappingOutcome.Remapped.class);
        assertThat(moved.mapping().id()).isEqualTo(created.mapping().id());
        assertThat(store.list(app)).containsExactly(moved.mapping());
    }

    @Test
    void mapAllWhenOneDialpadUserGoesToTwoCrmUsersThenNothingIsApplied() {
        BatchMappingOutcome outcome = store.mapAll(app, List.of(new UserMappingRequest("dp-1", "crm-1"),
                new UserMappingRequest("dp-2", "crm-2"), new UserMappingRequest("dp-1", "crm-3")));

        assertThat(outcome).isEqualTo(new BatchMappingOutcome.Conflicting(2, "dp-1"));
        assertThat(store.list(app)).isEmpty();
    }

    @Test
    void deleteWhenAnotherAppAsksThenItsMappingStays() {
        MappingOutcome created = store.map(app, new UserMappingRequest("dp-1", "crm-1"));

        assertThat(store.delete(UUID.randomUUID(), created.mapping().id())).isFalse();
        assertThat(store.deleteByDialpadUser(app, "dp-1")).isTrue();
        assertThat(store.findByCrmUser(app, "crm-1")).isEmpty();
    }
}
