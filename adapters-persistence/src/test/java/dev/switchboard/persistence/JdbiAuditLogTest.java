package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.testkit.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdbiAuditLogTest {
    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiAuditLog audit;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 4));
        audit = JdbiAuditLog.create(database);
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    @Test
    void readWhenEventsWereRecordedThenTheyComeBackIntact() {
        UUID app = UUID.randomUUID();
        AuditEvent event = new AuditEvent(T0.plusNanos(123_000), AuditEventType.API_KEY_ROTATED, Optional.of(app),
                "internal_api", Optional.of("2001:db8::7"),
                Map.of("old_hint", "raw_abcd...wxyz", "quote", "a \"quoted\" \\ value\n", "unicode", "caf\u00e9 \u2603"));

        audit.record(event);

        assertThat(audit.read(app, T0, T0.plusSeconds(1), 10)).containsExactly(event);
    }

    @Test
    void readWhenRangeIsGivenThenHalfOpenOldestFirstAndOnlyThatApp() {
        UUID app = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        for (int minute = 0; minute < 5; minute++) {
            audit.record(AuditEvent.of(T0.plusSeconds(60L * minute), AuditEventType.OAUTH_REFRESHED, app, "system",
                    Map.of("n", Integer.toString(minute))));
        }
        audit.record(AuditEvent.of(T0.plusSeconds(60), AuditEventType.OAUTH_REFRESHED, other, "system", Map.of()));

        assertThat(audit.read(app, T0.plusSeconds(60), T0.plusSeconds(180), 100))
                .extracting(e -> e.details().get("n")).containsExactly("1", "2");
        assertThat(audit.read(app, T0, T0.plusSeconds(3600), 3))
                .extracting(e -> e.details().get("n")).containsExactly("0", "1", "2");
        assertThat(audit.read(other, T0, T0.plusSeconds(3600), 100)).hasSize(1)
                .allMatch(e -> e.appId().equals(Optional.of(other)));
    }

    @Test
    void readAllWhenSeveralAppsAndNoAppThenEveryEventInTheRangeOldestFirst() {
        Instant base = T0.plusSeconds(86_400);
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        audit.record(AuditEvent.of(base.plusSeconds(2), AuditEventType.APP_CREATED, second, "internal_api", Map.of()));
        audit.record(AuditEvent.of(base, AuditEventType.APP_CREATED, first, "internal_api", Map.of()));
        audit.record(new AuditEvent(base.plusSeconds(1), AuditEventType.WEBHOOK_REJECTED, Optional.empty(), "dialpad",
                Optional.empty(), Map.of()));
        audit.record(AuditEvent.of(base.plusSeconds(10), AuditEventType.APP_UPDATED, first, "internal_api", Map.of()));

        assertThat(audit.readAll(base, base.plusSeconds(10), 100))
                .extracting(AuditEvent::appId)
                .containsExactly(Optional.of(first), Optional.empty(), Optional.of(second));
        assertThat(audit.readAll(base, base.plusSeconds(11), 2)).hasSize(2);
        assertThatThrownBy(() -> audit.readAll(base, base.minusSeconds(1), 10))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readWhenEventHasNoDetailsOrClientThenEmptyValues() {
        UUID app = UUID.randomUUID();
        audit.record(AuditEvent.of(T0, AuditEventType.APP_CREATED, app, "internal_api", Map.of()));

        AuditEvent read = audit.read(app, T0, T0.plusMillis(1), 1).get(0);

        assertThat(read.details()).isEmpty();
        assertThat(read.clientIp()).isEmpty();
    }

    @Test
    void readWhenArgumentsAreOutOfRangeThenIllegalArgument() {
        assertThatThrownBy(() -> audit.read(UUID.randomUUID(), T0, T0.minusSeconds(1), 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> audit.read(UUID.randomUUID(), T0, T0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recordWhenLineExistsThenUpdateAndDeleteAreRefusedByTheDatabase() throws SQLException {
        UUID app = UUID.randomUUID();
        audit.record(AuditEvent.of(T0, AuditEventType.APP_UPDATED, app, "internal_api", Map.of("field", "name")));

        try (Connection connection = testDatabase.connect(); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.executeUpdate(
                    "UPDATE audit_log SET actor = 'intruder' WHERE app_id = '" + app + "'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
            assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM audit_log WHERE app_id = '" + app + "'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("append-only");
        }
        assertThat(audit.read(app, T0, T0.plusSeconds(1), 10)).singleElement()
                .satisfies(e -> assertThat(e.actor()).isEqualTo("internal_api"));
    }
}
