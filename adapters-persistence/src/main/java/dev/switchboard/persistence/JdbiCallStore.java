package dev.switchboard.persistence;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallChange;
import dev.switchboard.core.calls.CallDirection;
import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.calls.CallFilter;
import dev.switchboard.core.calls.CallKey;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link CallStore} on the {@code calls} and {@code voicemails} tables. Thread-safe.
 *
 * <p>Every write of a call follows one protocol, shared with {@link JdbiProcessingStore} through {@link #lock} and
 * {@link #save}: take a transaction-scoped advisory lock per call key (in one order), lock the stored rows of the
 * calls concerned ({@code SELECT ... FOR UPDATE}), merge in Java with {@link CallMerge}, then insert the new calls
 * and update the others, each kind in one statement over all rows ({@link Unnest}). Two transactions on one call
 * serialise on its key before reading it, so no update is lost, the second sees the call the first created, and no
 * two transactions deadlock. Should a call appear without its key being held (a writer outside this protocol), the
 * insert skips it with {@code ON CONFLICT DO NOTHING} and {@link #save} reports it, to be locked and merged again.
 */
public final class JdbiCallStore implements CallStore {
    private static final Unnest<Call> CALL_ROWS = Unnest.of(callColumns());
    static final String COLUMNS = CALL_ROWS.names("");
    private static final Unnest<CallKey> KEY_ROWS = Unnest.of(
            Unnest.uuid("app_id", CallKey::appId),
            Unnest.requiredText("dialpad_call_id", CallKey::dialpadCallId));
    private static final String LOCK = "SELECT " + COLUMNS + " FROM calls WHERE (app_id, dialpad_call_id) IN "
            + "(SELECT k.app_id, k.dialpad_call_id FROM " + KEY_ROWS.from("k") + ") "
            + "ORDER BY app_id, dialpad_call_id FOR UPDATE";
    /*
     * Before any row, each transaction takes one transaction-scoped advisory lock per call key, all at once and in
     * ascending order: rows alone cannot be locked in one order, since a call created by another transaction after
     * this one's SELECT is only met by the INSERT, after the SELECT's locks. Holding the keys first, two
     * transactions sharing a call serialise on its key before either touches a row, so they never deadlock
     * (a hash collision only makes unrelated calls wait for one another).
     */
    private static final int KEY_LOCK_CLASS = 0x5342_4341;
    // unnest yields the array in its order, which keyLocks sorts
    private static final String CLAIM_KEYS = "SELECT count(pg_advisory_xact_lock(:classid, k)) "
            + "FROM unnest(CAST(:keys AS int[])) AS t(k)";
    // in key order too, so two transactions inserting overlapping new calls wait for one another, never deadlock
    private static final String INSERT = "INSERT INTO calls (" + COLUMNS + ") SELECT " + CALL_ROWS.names("t")
            + " FROM " + CALL_ROWS.from("t") + " ORDER BY t.app_id, t.dialpad_call_id "
            + "ON CONFLICT (app_id, dialpad_call_id) DO NOTHING RETURNING app_id, dialpad_call_id";
    private static final String UPDATE = "UPDATE calls c SET " + CALL_ROWS.assignments("t", Set.of("id", "app_id",
            "dialpad_call_id")) + ", updated_at = now() FROM " + CALL_ROWS.from("t")
            + " WHERE c.app_id = t.app_id AND c.dialpad_call_id = t.dialpad_call_id AND c.id = t.id";
    private static final Unnest<Call> VOICEMAIL_ROWS = Unnest.of(
            Unnest.uuid("id", c -> UUID.randomUUID()),
            Unnest.uuid("app_id", Call::appId),
            Unnest.uuid("call_id", Call::id),
            Unnest.requiredText("dialpad_call_id", Call::dialpadCallId),
            Unnest.text("from_number", Call::externalNumber),
            Unnest.text("recording_url", Call::voicemailUrl),
            Unnest.text("transcription", Call::transcription),
            Unnest.bigint("duration_ms", Call::durationMillis));
    // Created once, when the call first gets a voicemail: a voicemail the app deleted stays deleted.
    private static final String INSERT_VOICEMAILS = "INSERT INTO voicemails (" + VOICEMAIL_ROWS.names("")
            + ", created_at) SELECT " + VOICEMAIL_ROWS.names("t") + ", :at FROM " + VOICEMAIL_ROWS.from("t")
            + " ON CONFLICT (app_id, call_id) DO NOTHING";
    private static final String UPDATE_VOICEMAILS = "UPDATE voicemails v SET " + VOICEMAIL_ROWS.assignments("t",
            Set.of("id", "app_id", "call_id", "dialpad_call_id")) + " FROM " + VOICEMAIL_ROWS.from("t")
            + " WHERE v.app_id = t.app_id AND v.call_id = t.call_id";

    private static List<Unnest.Column<Call>> callColumns() {
        List<Unnest.Column<Call>> columns = new ArrayList<>(List.of(
                Unnest.uuid("id", Call::id),
                Unnest.uuid("app_id", Call::appId),
                Unnest.requiredText("dialpad_call_id", Call::dialpadCallId),
                Unnest.requiredText("status", c -> c.status().jsonName()),
                Unnest.text("direction", c -> c.direction().map(CallDirection::jsonName)),
                Unnest.text("external_number", Call::externalNumber),
                Unnest.text("internal_number", Call::internalNumber)));
        columns.addAll(partyColumns("target_", Call::target));
        columns.addAll(partyColumns("contact_", Call::contact));
        columns.addAll(List.of(
                Unnest.text("master_call_id", Call::masterCallId),
                Unnest.text("entry_point_call_id", Call::entryPointCallId),
                Unnest.timestamptz("started_at", Call::startedAt),
                Unnest.timestamptz("answered_at", Call::answeredAt),
                Unnest.timestamptz("ended_at", Call::endedAt),
                Unnest.bigint("duration_ms", Call::durationMillis),
                Unnest.text("recording_url", Call::recordingUrl),
                Unnest.text("voicemail_url", Call::voicemailUrl),
                Unnest.text("transcription", Call::transcription),
                Unnest.timestamptz("last_event_at", Call::lastEventAt),
                Unnest.bigint("states_seen", c -> Optional.of(c.statesSeenMask()))));
        return columns;
    }

    private static List<Unnest.Column<Call>> partyColumns(String prefix, Function<Call, Optional<CallParty>> party) {
        return List.of(
                Unnest.text(prefix + "id", c -> party.apply(c).flatMap(CallParty::id)),
                Unnest.text(prefix + "type", c -> party.apply(c).flatMap(CallParty::type)),
                Unnest.text(prefix + "name", c -> party.apply(c).flatMap(CallParty::name)),
                Unnest.text(prefix + "phone", c -> party.apply(c).flatMap(CallParty::phone)));
    }

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
        CallKey key = new CallKey(appId, event.dialpadCallId());
        UUID newId = UUID.randomUUID();
        return PersistenceErrors.call("store a call event", () -> jdbi.inTransaction(handle -> {
            Map<CallKey, Call> stored = lock(handle, List.of(key));
            CallUpdate update = CallMerge.apply(stored.get(key), newId, appId, event);
            if (update.has(CallChange.UPDATED)
                    && !save(handle, List.of(update), stored.keySet(), clock.instant()).isEmpty()) {
                // created by a concurrent first event since it was read: now it is there, locked
                stored = lock(handle, List.of(key));
                update = CallMerge.apply(stored.get(key), newId, appId, event);
                if (!save(handle, List.of(update), stored.keySet(), clock.instant()).isEmpty()) {
                    throw new IllegalStateException("a conflicting call vanished");
                }
            }
            return update;
        }));
    }

    /**
     * Locks the stored rows of {@code keys} ({@code FOR UPDATE}, in key order whatever the order given) until the
     * transaction of {@code handle} ends, and returns them; unknown calls are absent.
     */
    static Map<CallKey, Call> lock(Handle handle, Collection<CallKey> keys) {
        Map<CallKey, Call> stored = new HashMap<>();
        if (keys.isEmpty()) {
            return stored;
        }
        handle.createQuery(CLAIM_KEYS).bind("classid", KEY_LOCK_CLASS).bind("keys", SqlArrays.ints(keyLocks(keys)))
                .mapTo(Long.class).one();
        KEY_ROWS.bind(handle.createQuery(LOCK), List.copyOf(keys))
                .map(JdbiCallStore::row)
                .forEach(call -> stored.put(CallKey.of(call), call));
        return stored;
    }

    /** The advisory lock numbers of {@code keys}: distinct, ascending, the same on every instance. */
    static List<Integer> keyLocks(Collection<CallKey> keys) {
        return keys.stream()
                .map(key -> 31 * key.appId().hashCode() + key.dialpadCallId().hashCode())
                .distinct().sorted().toList();
    }

    /**
     * Writes the calls of {@code updates} (one per call) and their voicemails in the transaction of {@code handle}:
     * the calls of {@code locked} (read with {@link #lock} in this transaction) are updated, the others inserted.
     * Returns the keys of calls to insert that a concurrent transaction created meanwhile; nothing is written for
     * those. {@code now} stamps new voicemails.
     */
    static Set<CallKey> save(Handle handle, List<CallUpdate> updates, Set<CallKey> locked, Instant now) {
        List<Call> inserts = new ArrayList<>();
        List<Call> changes = new ArrayList<>();
        for (CallUpdate update : updates) {
            (locked.contains(CallKey.of(update.call())) ? changes : inserts).add(update.call());
        }
        Set<CallKey> createdMeanwhile = new HashSet<>();
        if (!inserts.isEmpty()) {
            inserts.forEach(call -> createdMeanwhile.add(CallKey.of(call)));
            CALL_ROWS.bind(handle.createQuery(INSERT), inserts)
                    .map((rs, ctx) -> new CallKey(Sql.uuid(rs, "app_id"), rs.getString("dialpad_call_id")))
                    .forEach(createdMeanwhile::remove);
        }
        if (!changes.isEmpty()) {
            CALL_ROWS.bind(handle.createUpdate(UPDATE), changes).execute();
        }
        List<Call> newVoicemails = new ArrayList<>();
        List<Call> voicemailChanges = new ArrayList<>();
        for (CallUpdate update : updates) {
            Call call = update.call();
            if (createdMeanwhile.contains(CallKey.of(call))) {
                continue;
            }
            if (update.has(CallChange.VOICEMAIL_ADDED)) {
                newVoicemails.add(call);
            } else if (call.voicemailUrl().isPresent()) {
                voicemailChanges.add(call);
            }
        }
        if (!newVoicemails.isEmpty()) {
            VOICEMAIL_ROWS.bind(handle.createUpdate(INSERT_VOICEMAILS), newVoicemails).bind("at", Sql.at(now))
                    .execute();
        }
        if (!voicemailChanges.isEmpty()) {
            VOICEMAIL_ROWS.bind(handle.createUpdate(UPDATE_VOICEMAILS), voicemailChanges).execute();
        }
        return createdMeanwhile;
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
