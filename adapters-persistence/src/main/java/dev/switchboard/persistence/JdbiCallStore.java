package dev.switchboard.persistence;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallChange;
import dev.switchboard.core.calls.CallDirection;
import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.calls.CallFilter;
import dev.switchboard.core.calls.CallMerge;
import dev.switchboard.core.calls.CallPage;
import dev.switchboard.core.calls.CallParty;
import dev.switchboard.core.calls.CallStatus;
import dev.switchboard.core.calls.CallStore;
import dev.switchboard.core.calls.CallUpdate;
import dev.switchboard.core.calls.DialpadCallState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link CallStore} on the {@code calls} and {@code voicemails} tables. Thread-safe.
 *
 * <p>{@link #apply} runs in one transaction: it locks the call row ({@code FOR UPDATE}), merges in Java with
 * {@link CallMerge} and writes the result back, so two events of one call serialise on the row and neither update
 * is lost. A call's first event inserts with {@code ON CONFLICT DO NOTHING}; when a concurrent first event won, the
 * insert waits for it, and the row is then locked and merged like any other.
 */
public final class JdbiCallStore implements CallStore {
    static final String COLUMNS = "id, app_id, dialpad_call_id, status, direction, external_number, internal_number, "
            + "target_id, target_type, target_name, target_phone, contact_id, contact_type, contact_name, "
            + "contact_phone, master_call_id, entry_point_call_id, started_at, answered_at, ended_at, duration_ms, "
            + "recording_url, voicemail_url, transcription, last_event_at, states_seen";
    private static final String VALUES = ":id, :app_id, :dialpad_call_id, :status, :direction, :external_number, "
            + ":internal_number, :target_id, :target_type, :target_name, :target_phone, :contact_id, :contact_type, "
            + ":contact_name, :contact_phone, :master_call_id, :entry_point_call_id, :started_at, :answered_at, "
            + ":ended_at, :duration_ms, :recording_url, :voicemail_url, :transcription, :last_event_at, :states_seen";

    private final Jdbi jdbi;
    private final Clock clock;

    private JdbiCallStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** A store on {@code database}; {@code clock} stamps the creation of voicemails. */
    public static JdbiCallStore create(Database database, Clock clock) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(clock, "clock");
        return new JdbiCallStore(database.jdbi(), clock);
    }

    @Override
    public CallUpdate apply(UUID appId, CallEvent event) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(event, "event");
        return PersistenceErrors.call("store a call event", () -> jdbi.inTransaction(handle -> {
            Optional<Call> existing = lock(handle, appId, event.dialpadCallId());
            if (existing.isEmpty()) {
                CallUpdate first = CallMerge.first(UUID.randomUUID(), appId, event);
                int inserted = bindCall(handle.createUpdate("INSERT INTO calls (" + COLUMNS + ") VALUES (" + VALUES
                        + ") ON CONFLICT (app_id, dialpad_call_id) DO NOTHING"), first.call()).execute();
                if (inserted == 1) {
                    recordVoicemail(handle, first);
                    return first;
                }
                existing = lock(handle, appId, event.dialpadCallId());
            }
            Call current = existing.orElseThrow(() -> new IllegalStateException("a conflicting call vanished"));
            CallUpdate update = CallMerge.apply(current, event);
            if (update.has(CallChange.UPDATED)) {
                bindCall(handle.createUpdate("UPDATE calls SET status = :status, direction = :direction, "
                        + "external_number = :external_number, internal_number = :internal_number, "
                        + "target_id = :target_id, target_type = :target_type, target_name = :target_name, "
                        + "target_phone = :target_phone, contact_id = :contact_id, contact_type = :contact_type, "
                        + "contact_name = :contact_name, contact_phone = :contact_phone, "
                        + "master_call_id = :master_call_id, entry_point_call_id = :entry_point_call_id, "
                        + "started_at = :started_at, answered_at = :answered_at, ended_at = :ended_at, "
                        + "duration_ms = :duration_ms, recording_url = :recording_url, voicemail_url = :voicemail_url, "
                        + "transcription = :transcription, last_event_at = :last_event_at, "
                        + "states_seen = :states_seen, updated_at = now() "
                        + "WHERE app_id = :app_id AND id = :id AND dialpad_call_id = :dialpad_call_id"),
                        update.call()).execute();
                recordVoicemail(handle, update);
            }
            return update;
        }));
    }

    private static Optional<Call> lock(Handle handle, UUID appId, String dialpadCallId) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM calls WHERE app_id = :app AND dialpad_call_id = :dp "
                        + "FOR UPDATE")
                .bind("app", appId)
                .bind("dp", dialpadCallId)
                .map(JdbiCallStore::row)
                .findOne();
    }

    private void recordVoicemail(Handle handle, CallUpdate update) {
        Call call = update.call();
        if (update.has(CallChange.VOICEMAIL_ADDED)) {
            // Created once, when the call first gets a voicemail: a voicemail the app deleted stays deleted.
            handle.createUpdate("INSERT INTO voicemails (id, app_id, call_id, dialpad_call_id, from_number, "
                            + "recording_url, transcription, duration_ms, created_at) VALUES (:id, :app, :call, :dp, "
                            + ":from, :url, :transcription, :duration, :at) ON CONFLICT (app_id, call_id) DO NOTHING")
                    .bind("id", UUID.randomUUID())
                    .bind("at", Sql.at(clock.instant()))
                    .bind("app", call.appId())
                    .bind("call", call.id())
                    .bind("dp", call.dialpadCallId())
                    .bind("from", call.externalNumber().orElse(null))
                    .bind("url", call.voicemailUrl().orElse(null))
                    .bind("transcription", call.transcription().orElse(null))
                    .bind("duration", call.durationMillis().orElse(null))
                    .execute();
        } else if (call.voicemailUrl().isPresent()) {
            handle.createUpdate("UPDATE voicemails SET from_number = :from, recording_url = :url, "
                            + "transcription = :transcription, duration_ms = :duration WHERE app_id = :app AND call_id = :call")
                    .bind("app", call.appId())
                    .bind("call", call.id())
                    .bind("from", call.externalNumber().orElse(null))
                    .bind("url", call.voicemailUrl().orElse(null))
                    .bind("transcription", call.transcription().orElse(null))
                    .bind("duration", call.durationMillis().orElse(null))
                    .execute();
        }
    }

    @Override
    public Optional<Call> find(UUID appId, UUID id) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(id, "id");
        return PersistenceErrors.call("read a call", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM calls WHERE app_id = :app AND id = :id")
                .bind("app", appId)
                .bind("id", id)
                .map(JdbiCallStore::row)
                .findOne()));
    }

    @Override
    public Optional<Call> findByDialpadId(UUID appId, String dialpadCallId) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(dialpadCallId, "dialpadCallId");
        return PersistenceErrors.call("read a call", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM calls WHERE app_id = :app AND dialpad_call_id = :dp")
                .bind("app", appId)
                .bind("dp", dialpadCallId)
                .map(JdbiCallStore::row)
                .findOne()));
    }

    @Override
    public CallPage list(UUID appId, CallFilter filter) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(filter, "filter");
        List<String> where = new ArrayList<>(List.of("app_id = :app"));
        filter.status().ifPresent(s -> where.add("status = :status"));
        filter.direction().ifPresent(d -> where.add("direction = :direction"));
        filter.startedFrom().ifPresent(f -> where.add("started_at >= :from"));
        filter.startedTo().ifPresent(t -> where.add("started_at < :to"));
        String sql = PagedQuery.sql(COLUMNS, "calls", String.join(" AND ", where),
                List.of("started_at DESC NULLS LAST", "id"));
        return PersistenceErrors.call("list calls", () -> jdbi.withHandle(handle -> {
            PagedQuery.Page<Call> page = PagedQuery.read(bindFilter(handle.createQuery(sql), appId, filter),
                    filter.limit(), filter.offset(), JdbiCallStore::row);
            return new CallPage(page.rows(), page.total(), filter.limit(), filter.offset());
        }));
    }

    private static <S extends SqlStatement<S>> S bindFilter(S statement, UUID appId, CallFilter filter) {
        statement.bind("app", appId);
        filter.status().ifPresent(s -> statement.bind("status", s.jsonName()));
        filter.direction().ifPresent(d -> statement.bind("direction", d.jsonName()));
        filter.startedFrom().ifPresent(f -> statement.bind("from", Sql.at(f)));
        filter.startedTo().ifPresent(t -> statement.bind("to", Sql.at(t)));
        return statement;
    }

    @Override
    public List<Call> active(UUID appId, int limit) {
        Objects.requireNonNull(appId, "appId");
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be between 1 and 1000");
        }
        return PersistenceErrors.call("list active calls", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM calls WHERE app_id = :app AND status IN ('ringing', 'active') "
                        + "ORDER BY started_at DESC NULLS LAST, id LIMIT :limit")
                .bind("app", appId)
                .bind("limit", limit)
                .map(JdbiCallStore::row)
                .list()));
    }

    private static <S extends SqlStatement<S>> S bindCall(S statement, Call call) {
        Optional<CallParty> target = call.target();
        Optional<CallParty> contact = call.contact();
        return statement
                .bind("id", call.id())
                .bind("app_id", call.appId())
                .bind("dialpad_call_id", call.dialpadCallId())
                .bind("status", call.status().jsonName())
                .bind("direction", call.direction().map(CallDirection::jsonName).orElse(null))
                .bind("external_number", call.externalNumber().orElse(null))
                .bind("internal_number", call.internalNumber().orElse(null))
                .bind("target_id", target.flatMap(CallParty::id).orElse(null))
                .bind("target_type", target.flatMap(CallParty::type).orElse(null))
                .bind("target_name", target.flatMap(CallParty::name).orElse(null))
                .bind("target_phone", target.flatMap(CallParty::phone).orElse(null))
                .bind("contact_id", contact.flatMap(CallParty::id).orElse(null))
                .bind("contact_type", contact.flatMap(CallParty::type).orElse(null))
                .bind("contact_name", contact.flatMap(CallParty::name).orElse(null))
                .bind("contact_phone", contact.flatMap(CallParty::phone).orElse(null))
                .bind("master_call_id", call.masterCallId().orElse(null))
                .bind("entry_point_call_id", call.entryPointCallId().orElse(null))
                .bind("started_at", Sql.at(call.startedAt()))
                .bind("answered_at", Sql.at(call.answeredAt()))
                .bind("ended_at", Sql.at(call.endedAt()))
                .bind("duration_ms", call.durationMillis().orElse(null))
                .bind("recording_url", call.recordingUrl().orElse(null))
                .bind("voicemail_url", call.voicemailUrl().orElse(null))
                .bind("transcription", call.transcription().orElse(null))
                .bind("last_event_at", Sql.at(call.lastEventAt()))
                .bind("states_seen", call.statesSeenMask());
    }

    static Call row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Call(
                Sql.uuid(rs, "id"),
                Sql.uuid(rs, "app_id"),
                rs.getString("dialpad_call_id"),
                CallStatus.fromJson(rs.getString("status"))
                        .orElseThrow(() -> new SQLException("unknown call status in the database")),
                Sql.optionalText(rs, "direction").flatMap(CallDirection::fromJson),
                Sql.optionalText(rs, "external_number"),
                Sql.optionalText(rs, "internal_number"),
                party(rs, "target_"),
                party(rs, "contact_"),
                Sql.optionalText(rs, "master_call_id"),
                Sql.optionalText(rs, "entry_point_call_id"),
                Sql.optionalInstant(rs, "started_at"),
                Sql.optionalInstant(rs, "answered_at"),
                Sql.optionalInstant(rs, "ended_at"),
                Sql.optionalLong(rs, "duration_ms"),
                Sql.optionalText(rs, "recording_url"),
                Sql.optionalText(rs, "voicemail_url"),
                Sql.optionalText(rs, "transcription"),
                Sql.optionalInstant(rs, "last_event_at"),
                DialpadCallState.fromMask(rs.getLong("states_seen")));
    }

    private static Optional<CallParty> party(ResultSet rs, String prefix) throws SQLException {
        return CallParty.of(rs.getString(prefix + "id"), rs.getString(prefix + "type"), rs.getString(prefix + "name"),
                rs.getString(prefix + "phone"));
    }
}
