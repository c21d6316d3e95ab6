package dev.switchboard.persistence;

import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link AppStore} on the {@code apps} table. Ids are random (version 4) UUIDs made here; times come from the
 * injected clock and are stored as {@code timestamptz}. Thread-safe; every failure of the database is a
 * {@link dev.switchboard.core.StoreUnavailableException}.
 */
public final class JdbiAppStore implements AppStore {
    private static final String COLUMNS = "id, name, is_active, created_at";

    private final Jdbi jdbi;
    private final Clock clock;

    private JdbiAppStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** A store on {@code database} whose timestamps come from {@code clock}. */
    public static JdbiAppStore create(Database database, Clock clock) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(clock, "clock");
        return new JdbiAppStore(database.jdbi(), clock);
    }

    @Override
    public App create(String name) {
        String validName = App.validName(name);
        UUID id = UUID.randomUUID();
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        return PersistenceErrors.call("create an app", () -> jdbi.withHandle(handle -> handle
                .createQuery("INSERT INTO apps (id, name, is_active, created_at, updated_at) "
                        + "VALUES (:id, :name, true, :now, :now) RETURNING " + COLUMNS)
                .bind("id", id)
                .bind("name", validName)
                .bind("now", now)
                .map(JdbiAppStore::app)
                .one()));
    }

    @Override
    public Optional<App> find(UUID id) {
        Objects.requireNonNull(id, "id");
        return PersistenceErrors.call("find an app", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM apps WHERE id = :id")
                .bind("id", id)
                .map(JdbiAppStore::app)
                .findOne()));
    }

    @Override
    public List<App> list() {
        return PersistenceErrors.call("list apps", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM apps ORDER BY created_at, id")
                .map(JdbiAppStore::app)
                .list()));
    }

    @Override
    public Optional<App> update(UUID id, String name, Boolean active) {
        Objects.requireNonNull(id, "id");
        String validName = name == null ? null : App.validName(name);
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        return PersistenceErrors.call("update an app", () -> jdbi.withHandle(handle -> handle
                .createQuery("UPDATE apps SET name = COALESCE(:name, name), "
                        + "is_active = COALESCE(:active, is_active), updated_at = :now "
                        + "WHERE id = :id RETURNING " + COLUMNS)
                .bind("id", id)
                .bindByType("name", validName, String.class)
                .bindByType("active", active, Boolean.class)
                .bind("now", now)
                .map(JdbiAppStore::app)
                .findOne()));
    }

    private static App app(ResultSet row, StatementContext context) throws SQLException {
        return new App(row.getObject("id", UUID.class), row.getString("name"), row.getBoolean("is_active"),
                row.getObject("created_at", OffsetDateTime.class).toInstant());
    }
}
