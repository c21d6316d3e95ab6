package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.users.BatchMappingOutcome;
import dev.switchboard.core.users.MappingOutcome;
import dev.switchboard.core.users.UserMapping;
import dev.switchboard.core.users.UserMappingRequest;
import dev.switchboard.testkit.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdbiUserMappingStoreTest {
    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiUserMappingStore mappings;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 5));
        mappings = JdbiUserMappingStore.create(database,
                Clock.fixed(Instant.parse("2024-05-01T10:00:00Z"), ZoneOffset.UTC));
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    @Test
    void mapWhenNewThenCreatedAndWhenRemappedThenUpdatedInPlace() {
        UUID app = Apps.insert(testDatabase);

        MappingOutcome created = mappings.map(app, new UserMappingRequest("dp-1", "crm-1"));
        MappingOutcome same = mappings.map(app, new UserMappingRequest("dp-1", "crm-1"));
        MappingOutcome remapped = mappings.map(app, new UserMappingRequest("dp-1", "crm-2"));

        assertThat(created).isInstanceOf(MappingOutcome.Created.class);
        assertThat(same).isEqualTo(new MappingOutcome.Unchanged(created.mapping()));
        assertThat(remapped).isInstanceOf(MappingOutcome.Remapped.class);
        assertThat(((MappingOutcome.Remapped) remapped).previousCrmUserId()).isEqualTo("crm-1");
        assertThat(remapped.mapping().id()).isEqualTo(created.mapping().id());
        assertThat(mappings.findByDialpadUser(app, "dp-1")).map(UserMapping::crmUserId).contains("crm-2");
        assertThat(mappings.list(app)).hasSize(1);
    }

    @Test
    void mapAllWhenConflictingEntryThenNothingWritten() {
        UUID app = Apps.insert(testDatabase);
        mappings.map(app, new UserMappingRequest("dp-0", "crm-0"));

        BatchMappingOutcome outcome = mappings.mapAll(app, List.of(
                new UserMappingRequest("dp-1", "crm-1"),
                new UserMappingRequest("dp-0", "crm-changed"),
                new UserMappingRequest("dp-1", "crm-other")));

        assertThat(outcome).isEqualTo(new BatchMappingOutcome.Conflicting(2, "dp-1"));
        assertThat(mappings.list(app)).extracting(UserMapping::dialpadUserId, UserMapping::crmUserId)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("dp-0", "crm-0"));
    }

    @Test
    void mapAllWhenValidThenEveryEntryApplied() {
        UUID app = Apps.insert(testDatabase);
        mappings.map(app, new UserMappingRequest("dp-0", "crm-0"));

        BatchMappingOutcome outcome = mappings.mapAll(app, List.of(
                new UserMappingRequest("dp-1", "crm-1"),
                new UserMappingRequest("dp-0", "crm-9"),
                new UserMappingRequest("dp-1", "crm-1")));

        assertThat(outcome).isInstanceOf(BatchMappingOutcome.Applied.class);
        assertThat(((BatchMappingOutcome.Applied) outcome).outcomes()).extracting(o -> o.getClass().getSimpleName())
                .containsExactly("Created", "Remapped", "Unchanged");
        assertThat(mappings.findByCrmUser(app, "crm-9")).extracting(UserMapping::dialpadUserId).containsExactly("dp-0");
    }

    @Test
    void deleteWhenOtherAppThenNothingDeleted() {
        UUID app = Apps.insert(testDatabase);
        UUID other = Apps.insert(testDatabase);
        UserMapping mapping = mappings.map(app, new UserMappingRequest("dp-1", "crm-1")).mapping();
        mappings.map(app, new UserMappingRequest("dp-2", "crm-2"));

        assertThat(mappings.delete(other, mapping.id())).isFalse();
        assertThat(mappings.deleteByDialpadUser(other, "dp-2")).isFalse();
        assertThat(mappings.findByDialpadUser(other, "dp-1")).isEmpty();
        assertThat(mappings.delete(app, mapping.id())).isTrue();
        assertThat(mappings.deleteByDialpadUser(app, "dp-2")).isTrue();
        assertThat(mappings.list(app)).isEmpty();
    }
}
