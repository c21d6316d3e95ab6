package dev.switchboard.persistence;

import dev.switchboard.core.webhook.InboxCounts;
import dev.switchboard.core.webhook.DeduplicationKey;
import dev.switchboard.core.webhook.NewWebhookEvent;
import dev.switchboard.core.webhook.UnroutedEvents;
import dev.switchboard.core.webhook.WebhookEvent;
import dev.switchboard.core.webhook.WebhookEventKind;
import dev.switchboard.core.webhook.WebhookEventStatus;
import dev.switchboard.core.webhook.WebhookEventStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link WebhookEventStore} on the {@code webhook_events} table. Thread-safe.
 *
 * <p>{@link #store} is one autocommitted {@code INSERT ... ON CONFLICT DO NOTHING} with a client-made id, so a new
 * event costs one round trip and nothing is returned; only a duplicate pays a second query for the stored id. The
 * insert waits for a concurrent insert of the same key to commit, so the duplicate's look-up always finds it.
 *
 * <p>{@link #storeAll} is the group commit: one autocommitted statement, a single round trip, holding one multi-row
 * {@code INSERT ... SELECT FROM unnest(...) ON CONFLICT DO NOTHING RETURNING id} for the whole list (rows in a fixed
 * order, so two instances inserting overlapping batches cannot deadlock) and, when a row is new, a
 * {@code pg_notify} on {@link #CHANNEL} that PostgreSQL delivers at commit to every listening instance
 * ({@link PgEventSignal}), so their processors start at once. Only duplicates cost more: a look-up each for the
 * stored id, after the commit (an insert that met a concurrent one of the same key waited for it to commit).
 *
 * <p>{@link #deleteReceivedBefore} (old unrouted events) and {@link #deleteProcessedBefore} (old processed events)
 * delete in batches, one instance at a time ({@link BatchedPurge}).
 */
public final class JdbiWebhookEventStore implements WebhookEventStore, UnroutedEvents {
    /** The channel notified when events were stored; distinct from the push channel. */
    public static final String CHANNEL = "switchboard_events";
    private static final int MAX_ERROR_LENGTH = 1000;
    /** Advisory lock class ("SBUP") held while old events are purged; distinct from the call-key locks. */
    static final int PURGE_LOCK_CLASS = BatchedPurge.LOCK_CLASS;
    /**
     * The group commit's rows: inserted in a fixed order, a conflicting one skipped, each new one leased to
     * {@code :owner} until {@code :until} (both null: not leased); returns the new rows' ids.
     */
    private static final String INSERT_ROWS = "INSERT INTO webhook_events (id, app_id, organisation_id, kind, "
            + "dedup_key, payload, status, attempts, received_at, next_attempt_at, lease_owner, lease_until) "
            + "SELECT t.id, t.app_id, t.org, t.kind, t.dedup_key, t.payload, 'received', 0, t.at::timestamptz, "
            + "t.at::timestamptz, CAST(:owner AS text), CAST(:until AS timestamptz) "
            + "FROM unnest(:ids::uuid[], :apps::uuid[], :orgs::text[], :kinds::text[], "
            + ":keys::text[], :payloads::text[], :ats::text[]) WITH ORDINALITY "
            + "AS t(id, app_id, org, kind, dedup_key, payload, at, n) ORDER BY t.n "
            + "ON CONFLICT DO NOTHING RETURNING id";
    /**
     * The group commit in one autocommitted statement: the rows, and the notification when at least one row is new
     * (the {@code notified} CTE reads one row of {@code inserted}; it calls a volatile function, so it is evaluated
     * once, joined to every inserted row, and not at all when nothing was inserted).
     */
    private static final String INSERT_ALL = "WITH inserted AS (" + INSERT_ROWS + "), "
            + "notified AS (SELECT count(pg_notify(:channel, :origin)) AS sent "
            + "FROM (SELECT 1 FROM inserted LIMIT 1) AS any_row) "
            + "SELECT inserted.id FROM inserted, notified";
    /**
     * Marks the events bound as {@code :ids} (a uuid array) processed at {@code :at}, and, when it marks any, lets
     * its transaction commit without waiting for the flush to disk. Whatever a transaction that marks events has
     * written is derived from those events, which are durable since their 200: a commit lost in a database crash
     * loses the marks with it, so the events are due again and processed again to the same result (pushes then
     * repeat, with the same ids). Sparing the flush shortens the time every processing commit holds PostgreSQL's
     * notification lock, which the intake and the other processors wait for.
     */
    static final String MARK_PROCESSED = "UPDATE webhook_events SET status = 'processed', processed_at = :at, "
            + "next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ANY(CAST(:ids AS uuid[])) "
            + "AND set_config('synchronous_commit', 'off', true) = 'off'";
    private static final String COLUMNS = "id, app_id, organisation_id, kind, dedup_key, payload, status, attempts, "
            + "last_error, received_at, next_attempt_at, processed_at";
    private static final String INSERT = "INSERT INTO webhook_events (id, app_id, organisation_id, kind, dedup_key, "
            + "payload, status, attempts, received_at, next_attempt_at) "
            + "VALUES (?, ?, ?, ?, ?, ?, 'received', 0, ?, ?) ON CONFLICT DO NOTHING";

    private final Jdbi jdbi;
    private final Clock clock;
    /** The payload of this store's notifications; empty when it sends none. */
    private final Optional<String> origin;

    private JdbiWebhookEventStore(Jdbi jdbi, Clock clock, Optional<String> origin) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.origin = origin;
    }

    /** A store on {@code database}; {@code clock} stamps processing times. Its notifications name no origin. */
    public static JdbiWebhookEventStore create(Database database, Clock clock) {
        return create(database, clock, "");
    }

    /**
     * A store on {@code database} whose notifications carry {@code origin} as their payload: the
     * {@link PgEventSignal#origin()} of this instance's signal, which then ignores its own notifications (the writer
     * wakes this instance's processors in process already) and still wakes for every other instance's.
     */
    public static JdbiWebhookEventStore create(Database database, Clock clock, String origin) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(origin, "origin");
        return new JdbiWebhookEventStore(database.jdbi(), clock, Optional.of(origin));
    }

    /**
     * A store on {@code database} that sends no notification when it stores events: for an instance that processes
     * events itself, whose writer wakes its own processors in process. Other instances then find these events at
     * their next poll, or when their own intake wakes them; sparing the notification spares every commit of the
     * intake PostgreSQL's cluster-wide notification lock and every other instance a claim that finds nothing.
     */
    public static JdbiWebhookEventStore createWithoutNotifications(Database database, Clock clock) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(clock, "clock");
        return new JdbiWebhookEventStore(database.jdbi(), clock, Optional.empty());
    }

    @Override
    public Stored store(NewWebhookEvent event) {
        Objects.requireNonNull(event, "event");
        UUID id = UUID.randomUUID();
        return PersistenceErrors.call("store a webhook event", () -> jdbi.withHandle(handle -> {
            int inserted = handle.execute(INSERT, id, event.appId().orElse(null), event.organisationId().orElse(null),
                    event.kind().jsonName(), event.deduplicationKey().value(), event.payload(),
                    Sql.at(event.receivedAt()), Sql.at(event.receivedAt()));
            if (inserted == 1) {
                return new Stored(id, false);
            }
            return new Stored(existingId(handle, event), true);
        }));
    }

    @Override
    public List<Stored> storeAll(List<NewWebhookEvent> events) {
        return storeAll(events, Optional.empty());
    }

    @Override
    public boolean leasesOnStore() {
        return true;
    }

    @Override
    public List<Stored> storeAll(List<NewWebhookEvent> events, Lease lease) {
        return storeAll(events, Optional.of(Objects.requireNonNull(lease, "lease")));
    }

    private List<Stored> storeAll(List<NewWebhookEvent> events, Optional<Lease> lease) {
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            return List.of();
        }
        // one row per distinct event identity; repeats within the list share the first one's row
        Map<String, Integer> firstOf = new HashMap<>();
        int[] leader = new int[events.size()];
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            NewWebhookEvent event = Objects.requireNonNull(events.get(i), "event");
            Integer first = firstOf.putIfAbsent(identity(event), i);
            leader[i] = first == null ? i : first;
            if (first == null) {
                rows.add(i);
            }
        }
        rows.sort(Comparator.comparing(i -> identity(events.get(i))));
        UUID[] fresh = new UUID[events.size()];
        List<UUID> ids = new ArrayList<>();
        List<UUID> apps = new ArrayList<>();
        List<String> orgs = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> payloads = new ArrayList<>();
        List<String> ats = new ArrayList<>();
        for (int i : rows) {
            NewWebhookEvent event = events.get(i);
            fresh[i] = UUID.randomUUID();
            ids.add(fresh[i]);
            apps.add(event.appId().orElse(null));
            orgs.add(event.organisationId().orElse(null));
            kinds.add(event.kind().jsonName());
            keys.add(event.deduplicationKey().value());
            payloads.add(event.payload());
            ats.add(event.receivedAt().toString());
        }
        return PersistenceErrors.call("store webhook events", () -> jdbi.withHandle(handle -> {
            var insert = handle.createQuery(origin.isPresent() ? INSERT_ALL : INSERT_ROWS)
                    .bind("ids", SqlArrays.uuids(ids))
                    .bind("apps", SqlArrays.uuids(apps))
                    .bind("orgs", SqlArrays.text(orgs))
                    .bind("kinds", SqlArrays.text(kinds))
                    .bind("keys", SqlArrays.text(keys))
                    .bind("payloads", SqlArrays.text(payloads))
                    .bind("ats", SqlArrays.text(ats))
                    .bind("owner", lease.map(Lease::owner).orElse(null))
                    .bind("until", lease.map(held -> Sql.at(held.until())).orElse(null));
            origin.ifPresent(payload -> insert.bind("channel", CHANNEL).bind("origin", payload));
            Set<UUID> inserted = new HashSet<>(insert.mapTo(UUID.class).list());
            List<Stored> results = new ArrayList<>(events.size());
            Map<Integer, UUID> existing = new HashMap<>();
            for (int i = 0; i < events.size(); i++) {
                int row = leader[i];
                if (inserted.contains(fresh[row])) {
                    results.add(new Stored(fresh[row], row != i));
                } else {
                    UUID id = existing.computeIfAbsent(row, r -> existingId(handle, events.get(r)));
                    results.add(new Stored(id, true));
                }
            }
            return results;
        }));
    }

    /** What makes two events the same row: the app (or, unrouted, the organisation) and the key. */
    private static String identity(NewWebhookEvent event) {
        String owner = event.appId().map(app -> "app:" + app)
                .orElseGet(() -> "org:" + event.organisationId().orElse(""));
        return owner + "\n" + event.deduplicationKey().value();
    }

    private static UUID existingId(Handle handle, NewWebhookEvent event) {
        var query = event.appId().isPresent()
                ? handle.createQuery("SELECT id FROM webhook_events WHERE app_id = :app AND dedup_key = :key")
                        .bind("app", event.appId().get())
                : handle.createQuery("SELECT id FROM webhook_events WHERE app_id IS NULL "
                        + "AND coalesce(organisation_id, '') = :org AND dedup_key = :key")
                        .bind("org", event.organisationId().orElse(""));
        return query.bind("key", event.deduplicationKey().value()).mapTo(UUID.class).findOne()
                .orElseThrow(() -> new IllegalStateException("a conflicting webhook event vanished"));
    }

    @Override
    public List<WebhookEvent> claim(int limit, Instant now, Duration lease, String owner) {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be between 1 and 1000");
        }
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(owner, "owner");
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("the lease must be positive");
        }
        // Skipping locked rows lets claimers on other instances take the next events instead of queueing behind
        // each other; the lease keeps a claimed event away from them once this statement has committed. The lease
        // needs no flush to disk: one lost in a crash leaves its event due, to be claimed again (processing is
        // idempotent), so a claim that leases events turns synchronous_commit off for its own transaction, in the
        // same statement; a claim that finds nothing writes nothing and sets nothing.
        String sql = "WITH due AS (SELECT id FROM webhook_events WHERE status <> 'processed' "
                + "AND next_attempt_at <= :now AND (lease_until IS NULL OR lease_until <= :now) "
                + "ORDER BY next_attempt_at, received_at LIMIT :limit FOR UPDATE SKIP LOCKED) "
                + "UPDATE webhook_events e SET lease_owner = :owner, lease_until = :until FROM due WHERE e.id = due.id "
                + "AND set_config('synchronous_commit', 'off', true) = 'off' "
                + "RETURNING " + prefixed("e.");
        return PersistenceErrors.call("claim webhook events", () -> jdbi.withHandle(handle -> handle
                .createQuery(sql)
                .bind("now", Sql.at(now))
                .bind("until", Sql.at(now.plus(lease)))
                .bind("limit", limit)
                .bind("owner", owner)
                .map(JdbiWebhookEventStore::row)
                .list()
                .stream()
                .sorted(java.util.Comparator.comparing((WebhookEvent e) -> e.nextAttemptAt().orElse(e.receivedAt()))
                        .thenComparing(WebhookEvent::receivedAt))
                .toList()));
    }

    @Override
    public int releaseLeases(Collection<UUID> ids, String owner) {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(owner, "owner");
        if (ids.isEmpty()) {
            return 0;
        }
        return PersistenceErrors.call("release webhook event leases", () -> jdbi.withHandle(handle -> handle
                .createUpdate("UPDATE webhook_events SET lease_owner = NULL, lease_until = NULL "
                        + "WHERE id = ANY(CAST(:ids AS uuid[])) AND lease_owner = :owner AND status <> 'processed'")
                .bind("ids", SqlArrays.uuids(ids))
                .bind("owner", owner)
                .execute()));
    }

    @Override
    public boolean markProcessed(UUID id) {
        Objects.requireNonNull(id, "id");
        return PersistenceErrors.call("mark a webhook event processed", () -> jdbi.withHandle(handle -> handle
                .createUpdate("UPDATE webhook_events SET status = 'processed', processed_at = :at, "
                        + "next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL WHERE id = :id")
                .bind("id", id)
                .bind("at", Sql.at(clock.instant()))
                .execute() == 1));
    }

    @Override
    public int markAllProcessed(Collection<UUID> ids) {
        Objects.requireNonNull(ids, "ids");
        if (ids.isEmpty()) {
            return 0;
        }
        return PersistenceErrors.call("mark webhook events processed", () -> jdbi.withHandle(handle ->
                markProcessed(handle, ids, clock.instant())));
    }

    /** Marks the events of {@code ids} processed at {@code at} in the transaction of {@code handle}; how many. */
    static int markProcessed(Handle handle, Collection<UUID> ids, Instant at) {
        if (ids.isEmpty()) {
            return 0;
        }
        return handle.createUpdate(MARK_PROCESSED)
                .bind("ids", SqlArrays.uuids(ids))
                .bind("at", Sql.at(at))
                .execute();
    }

    @Override
    public boolean markFailed(UUID id, String error, Instant nextAttemptAt) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        return PersistenceErrors.call("mark a webhook event failed", () -> jdbi.withHandle(handle -> handle
                .createUpdate("UPDATE webhook_events SET status = 'failed', attempts = attempts + 1, "
                        + "last_error = :error, next_attempt_at = :next, lease_owner = NULL, lease_until = NULL "
                        + "WHERE id = :id AND status <> 'processed'")
                .bind("id", id)
                .bind("error", Sql.cut(error, MAX_ERROR_LENGTH))
                .bind("next", Sql.at(nextAttemptAt))
                .execute() == 1));
    }

    @Override
    public Optional<WebhookEvent> find(UUID id) {
        Objects.requireNonNull(id, "id");
        return PersistenceErrors.call("read a webhook event", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM webhook_events WHERE id = :id")
                .bind("id", id)
                .map(JdbiWebhookEventStore::row)
                .findOne()));
    }

    @Override
    public int deleteReceivedBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return BatchedPurge.run(jdbi, BatchedPurge.Job.UNROUTED_EVENTS, "DELETE FROM webhook_events WHERE id IN "
                + "(SELECT id FROM webhook_events WHERE app_id IS NULL AND received_at < :cutoff LIMIT :batch)",
                update -> update.bind("cutoff", Sql.at(cutoff)));
    }

    /**
     * Deletes the processed events that were processed before {@code cutoff} (and so received before it), in batches,
     * and returns how many went; 0 at once when another instance is doing it. A redelivery of a deleted event would be
     * stored as new, which is why the configured retention is far longer than Dialpad's redelivery window.
     */
    public int deleteProcessedBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return BatchedPurge.run(jdbi, BatchedPurge.Job.PROCESSED_EVENTS, "DELETE FROM webhook_events WHERE id IN "
                + "(SELECT id FROM webhook_events WHERE status = 'processed' AND processed_at < :cutoff LIMIT :batch)",
                update -> update.bind("cutoff", Sql.at(cutoff)));
    }

    @Override
    public long backlog() {
        return PersistenceErrors.call("count the webhook backlog", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT count(*) FROM webhook_events WHERE status <> 'processed'")
                .mapTo(Long.class)
                .one()));
    }

    /**
     * The backlog, the failed events and the oldest event waiting for its first attempt, in one statement over the
     * partial index of unprocessed events (processed ones, the bulk of the table, are not read).
     */
    public InboxCounts counts() {
        return PersistenceErrors.call("count the webhook inbox", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT count(*) AS backlog, count(*) FILTER (WHERE status = 'failed') AS failed, "
                        + "min(received_at) FILTER (WHERE status = 'received') AS oldest "
                        + "FROM webhook_events WHERE status <> 'processed'")
                .map((rs, ctx) -> new InboxCounts(rs.getLong("backlog"), rs.getLong("failed"),
                        Sql.optionalInstant(rs, "oldest")))
                .one()));
    }

    private static String prefixed(String prefix) {
        return prefix + COLUMNS.replace(", ", ", " + prefix);
    }

    private static WebhookEvent row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new WebhookEvent(
                Sql.uuid(rs, "id"),
                Optional.ofNullable(Sql.uuid(rs, "app_id")),
                Sql.optionalText(rs, "organisation_id"),
                WebhookEventKind.fromJson(rs.getString("kind")),
                new DeduplicationKey(rs.getString("dedup_key")),
                rs.getString("payload"),
                WebhookEventStatus.fromJson(rs.getString("status")),
                rs.getInt("attempts"),
                Sql.optionalText(rs, "last_error"),
                Sql.instant(rs, "received_at"),
                Sql.optionalInstant(rs, "next_attempt_at"),
                Sql.optionalInstant(rs, "processed_at"));
    }
}
