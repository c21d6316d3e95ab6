package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.apps.App;
import dev.switchboard.testkit.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdbiAppStoreTest {
    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiAppStore store;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 4));
        store = JdbiAppStore.create(database, new SteppingClock(Instant.parse("2025-01-01T00:00:00.123456789Z")));
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    @Test
    void createWhenNameIsValidThenActiveAppWithFreshIdIsFoundAgain() {
        App app = store.create("  Acme CRM  ");

        assertThat(app.name()).isEqualTo("Acme CRM");
        assertThat(app.active()).isTrue();
        assertThat(app.id().version()).isEqualTo(4);
        assertThat(store.find(app.id())).contains(app);
    }

    @Test
    void createWhenCalledTwiceThenDifferentIds() {
        assertThat(store.create("one").id()).isNotEqualTo(store.create("two").id());
    }

    @Test
    void createWhenNameIsInvalidThenIllegalArgumentAndNothingStored() {
        int before = store.list().size();

        assertThatThrownBy(() -> store.create(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.list()).hasSize(before);
    }

    @Test
    void findWhenIdIsUnknownThenEmpty() {
        assertThat(store.find(UUID.randomUUID())).isEmpty();
    }

    @Test
    void listWhenSeveralAppsThenOldestFirst() {
        App first = store.create("list-first");
        App second = store.create("list-second");

        assertThat(store.list()).containsSubsequence(first, second);
        assertThat(first.createdAt()).isBefore(second.createdAt());
    }

    @Test
    void updateWhenOnlyActiveIsGivenThenNameKept() {
        App app = store.create("to deactivate");

        App updated = store.update(app.id(), null, false).orElseThrow();

        assertThat(updated).isEqualTo(new App(app.id(), "to deactivate", false, app.createdAt()));
        assertThat(store.find(app.id())).contains(updated);
    }

    @Test
    void updateWhenOnlyNameIsGivenThenActiveKept() {
        App app = store.create("old name");

        assertThat(store.update(app.id(), "new name", null)).contains(
                new App(app.id(), "new name", true, app.createdAt()));
    }

    @Test
    void updateWhenIdIsUnknownThenEmpty() {
        assertThat(store.update(UUID.randomUUID(), "x", true)).isEmpty();
    }

    @Test
    void findWhenDatabaseIsClosedThenStoreUnavailable() {
        try (TestDatabase other = TestDatabase.create()) {
            Database closed = Database.open(DatabaseSettings.of(other.jdbcUrl(), 1));
            JdbiAppStore orphan = JdbiAppStore.create(closed, Clock.systemUTC());
            closed.close();

            assertThatThrownBy(() -> orphan.find(UUID.randomUUID())).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageStartingWith("could not find an app");
        }
    }

    /** A clock one millisecond later at every reading, so rows created in a row have distinct times. */
    static final class SteppingClock extends Clock {
        private Instant next;

        SteppingClock(Instant start) {
            this.next = start;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public synchronized Instant instant() {
            Instant now = next;
            next = next.plus(1, ChronoUnit.MILLIS);
            return now;
        }
    }
}
