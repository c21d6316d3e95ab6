package dev.switchboard.persistence;

import dev.switchboard.core.calls.Voicemail;
import dev.switchboard.core.calls.VoicemailStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/** {@link VoicemailStore} on the {@code voicemails} table (rows written by {@link JdbiCallStore}). Thread-safe. */
public final class JdbiVoicemailStore implements VoicemailStore {
    private static final String COLUMNS = "id, app_id, call_id, dialpad_call_id, from_number, recording_url, "
            + "transcription, duration_ms, created_at";

    private final Jdbi jdbi;

    private JdbiVoicemailStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A store on {@code database}. */
    public static JdbiVoicemailStore create(Database database) {
        return new JdbiVoicemailStore(Objects.requireNonNull(database, "database").jdbi());
    }

    @Override
    public List<Voicemail> list(UUID appId, int limit, int offset) {
        Objects.requireNonNull(appId, "appId");
        if (limit < 1 || limit > 100 || offset < 0) {
            throw new IllegalArgumentException("limit must be between 1 and 100 and offset not negative");
        }
        return PersistenceErrors.call("list voicemails", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM voicemails WHERE app_id = :app "
                        + "ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset")
                .bind("app", appId)
                .bind("limit", limit)
                .bind("offset", offset)
                .map(JdbiVoicemailStore::row)
                .list()));
    }

    @Override
    public long count(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        return PersistenceErrors.call("count voicemails", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT count(*) FROM voicemails WHERE app_id = :app")
                .bind("app", appId)
                .mapTo(Long.class)
                .one()));
    }

    @Override
    public Optional<Voicemail> find(UUID appId, UUID id) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(id, "id");
        return PersistenceErrors.call("read a voicemail", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM voicemails WHERE app_id = :app AND id = :id")
                .bind("app", appId)
                .bind("id", id)
                .map(JdbiVoicemailStore::row)
                .findOne()));
    }

    @Override
    public boolean delete(UUID appId, UUID id) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(id, "id");
        return PersistenceErrors.call("delete a voicemail", () -> jdbi.withHandle(handle -> handle
                .createUpdate("DELETE FROM voicemails WHERE app_id = :app AND id = :id")
                .bind("app", appId)
                .bind("id", id)
                .execute() == 1));
    }

    private static Voicemail row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Voicemail(Sql.uuid(rs, "id"), Sql.uuid(rs, "app_id"), Sql.uuid(rs, "call_id"),
                rs.getString("dialpad_call_id"), Sql.optionalText(rs, "from_number"),
                Sql.optionalText(rs, "recording_url"), Sql.optionalText(rs, "transcription"),
                Sql.optionalLong(rs, "duration_ms"), Sql.instant(rs, "created_at"));
    }
}
