package dev.switchboard.persistence;

import dev.switchboard.core.users.BatchMappingOutcome;
import dev.switchboard.core.users.DialpadUser;
import dev.switchboard.core.users.MappingOutcome;
import dev.switchboard.core.users.UserMapping;
import dev.switchboard.core.users.UserMappingRequest;
import dev.switchboard.core.users.UserMappingStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link UserMappingStore} on the {@code user_mappings} table. Thread-safe. A mapping is written by inserting with
 * {@code ON CONFLICT DO NOTHING} and, when the Dialpad user is mapped already, locking that row and updating it:
 * concurrent mappings of one Dialpad user serialise on the row.
 */
public final class JdbiUserMappingStore implements UserMappingStore {
    private static final String COLUMNS = "id, app_id, dialpad_user_id, crm_user_id, created_at";

    private static final Unnest<DialpadUser> USER_ROWS = Unnest.of(
            Unnest.uuid("app_id", DialpadUser::appId),
            Unnest.requiredText("dialpad_user_id", DialpadUser::dialpadUserId));

    private final Jdbi jdbi;
    private final Clock clock;

    private JdbiUserMappingStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** A store on {@code database}; {@code clock} stamps creation and update times. */
    public static JdbiUserMappingStore create(Database database, Clock clock) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(clock, "clock");
        return new JdbiUserMappingStore(database.jdbi(), clock);
    }

    @Override
    public MappingOutcome map(UUID appId, UserMappingRequest request) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(request, "request");
        return PersistenceErrors.call("map a user", () -> jdbi.inTransaction(handle -> mapOne(handle, appId, request)));
    }

    /** Thrown inside the batch transaction to roll it back; never leaves this class. */
    private static final class Conflict extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient BatchMappingOutcome.Conflicting outcome;

        Conflict(BatchMappingOutcome.Conflicting outcome) {
            super(null, null, false, false);
            this.outcome = outcome;
        }
    }

    @Override
    public BatchMappingOutcome mapAll(UUID appId, List<UserMappingRequest> requests) {
        Objects.requireNonNull(appId, "appId");
        List<UserMappingRequest> batch = List.copyOf(requests);
        try {
            return PersistenceErrors.call("map users", () -> jdbi.inTransaction(handle -> {
                Map<String, String> seen = new HashMap<>();
                List<MappingOutcome> outcomes = new ArrayList<>();
                for (int i = 0; i < batch.size(); i++) {
                    UserMappingRequest request = batch.get(i);
                    String earlier = seen.putIfAbsent(request.dialpadUserId(), request.crmUserId());
                    if (earlier != null && !earlier.equals(request.crmUserId())) {
                        // Rolls back the entries already written: the batch is all or nothing.
                        throw new Conflict(new BatchMappingOutcome.Conflicting(i, request.dialpadUserId()));
                    }
                    outcomes.add(mapOne(handle, appId, request));
                }
                return new BatchMappingOutcome.Applied(outcomes);
            }));
        } catch (Conflict conflict) {
            return conflict.outcome;
        }
    }

    private MappingOutcome mapOne(Handle handle, UUID appId, UserMappingRequest request) {
        var now = Sql.at(clock.instant());
        Optional<UserMapping> created = handle.createQuery("INSERT INTO user_mappings (id, app_id, dialpad_user_id, "
                        + "crm_user_id, created_at, updated_at) VALUES (:id, :app, :dp, :crm, :now, :now) "
                        + "ON CONFLICT (app_id, dialpad_user_id) DO NOTHING RETURNING " + COLUMNS)
                .bind("id", UUID.randomUUID())
                .bind("app", appId)
                .bind("dp", request.dialpadUserId())
                .bind("crm", request.crmUserId())
                .bind("now", now)
                .map(JdbiUserMappingStore::row)
                .findOne();
        if (created.isPresent()) {
            return new MappingOutcome.Created(created.get());
        }
        UserMapping existing = handle.createQuery("SELECT " + COLUMNS + " FROM user_mappings "
                        + "WHERE app_id = :app AND dialpad_user_id = :dp FOR UPDATE")
                .bind("app", appId)
                .bind("dp", request.dialpadUserId())
                .map(JdbiUserMappingStore::row)
                .one();
        if (existing.crmUserId().equals(request.crmUserId())) {
            return new MappingOutcome.Unchanged(existing);
        }
        UserMapping updated = handle.createQuery("UPDATE user_mappings SET crm_user_id = :crm, updated_at = :now "
                        + "WHERE app_id = :app AND id = :id RETURNING " + COLUMNS)
                .bind("app", appId)
                .bind("id", existing.id())
                .bind("crm", request.crmUserId())
                .bind("now", now)
                .map(JdbiUserMappingStore::row)
                .one();
        return new MappingOutcome.Remapped(updated, existing.crmUserId());
    }

    @Override
    public List<UserMapping> list(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        return PersistenceErrors.call("list user mappings", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM user_mappings WHERE app_id = :app ORDER BY created_at, id")
                .bind("app", appId)
                .map(JdbiUserMappingStore::row)
                .list()));
    }

    @Override
    public Optional<UserMapping> findByDialpadUser(UUID appId, String dialpadUserId) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(dialpadUserId, "dialpadUserId");
        return PersistenceErrors.call("read a user mapping", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM user_mappings WHERE app_id = :app AND dialpad_user_id = :dp")
                .bind("app", appId)
                .bind("dp", dialpadUserId.strip())
                .map(JdbiUserMappingStore::row)
                .findOne()));
    }

    /**
     * The CRM user each of {@code users} is mapped to, read in the transaction of {@code handle} with one query;
     * unmapped users are absent.
     */
    static Map<DialpadUser, String> crmUsers(Handle handle, Collection<DialpadUser> users) {
        Map<DialpadUser, String> mapped = new HashMap<>();
        if (users.isEmpty()) {
            return mapped;
        }
        USER_ROWS.bind(handle.createQuery("SELECT " + COLUMNS + " FROM user_mappings WHERE (app_id, dialpad_user_id) "
                        + "IN (SELECT k.app_id, k.dialpad_user_id FROM " + USER_ROWS.from("k") + ")"), List.copyOf(users))
                .map(JdbiUserMappingStore::row)
                .forEach(m -> mapped.put(new DialpadUser(m.appId(), m.dialpadUserId()), m.crmUserId()));
        return mapped;
    }

    @Override
    public List<UserMapping> findByCrmUser(UUID appId, String crmUserId) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(crmUserId, "crmUserId");
        return PersistenceErrors.call("read user mappings", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM user_mappings WHERE app_id = :app AND crm_user_id = :crm "
                        + "ORDER BY created_at, id")
                .bind("app", appId)
                .bind("crm", crmUserId.strip())
                .map(JdbiUserMappingStore::row)
                .list()));
    }

    @Override
    public boolean delete(UUID appId, UUID mappingId) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(mappingId, "mappingId");
        return PersistenceErrors.call("delete a user mapping", () -> jdbi.withHandle(handle -> handle
                .createUpdate("DELETE FROM user_mappings WHERE app_id = :app AND id = :id")
                .bind("app", appId)
                .bind("id", mappingId)
                .execute() == 1));
    }

    @Override
    public boolean deleteByDialpadUser(UUID appId, String dialpadUserId) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(dialpadUserId, "dialpadUserId");
        return PersistenceErrors.call("delete a user mapping", () -> jdbi.withHandle(handle -> handle
                .createUpdate("DELETE FROM user_mappings WHERE app_id = :app AND dialpad_user_id = :dp")
                .bind("app", appId)
                .bind("dp", dialpadUserId.strip())
                .execute() == 1));
    }

    private static UserMapping row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new UserMapping(Sql.uuid(rs, "id"), Sql.uuid(rs, "app_id"), rs.getString("dialpad_user_id"),
                rs.getString("crm_user_id"), Sql.instant(rs, "created_at"));
    }
}
