package dev.switchboard.persistence;

import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import dev.switchboard.core.audit.AuditTrail;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link AuditLog} and {@link AuditTrail} on the append-only {@code audit_log} table (a trigger refuses UPDATE and
 * DELETE). Details are stored as a jsonb object that PostgreSQL builds itself from two text arrays
 * ({@code jsonb_object}), so no JSON is assembled by hand and any text is escaped correctly. Thread-safe.
 */
public final class JdbiAuditLog implements AuditLog, AuditTrail {
    private final Jdbi jdbi;

    private JdbiAuditLog(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The audit log of {@code database}. */
    public static JdbiAuditLog create(Database database) {
        Objects.requireNonNull(database, "database");
        return new JdbiAuditLog(database.jdbi());
    }

    @Override
    public void record(AuditEvent event) {
        Objects.requireNonNull(event, "event");
        List<String> keys = new ArrayList<>(event.details().keySet());
        keys.sort(null);
        List<String> values = keys.stream().map(event.details()::get).toList();
        PersistenceErrors.run("record an audit event", () -> jdbi.useHandle(handle -> handle
                .createUpdate("INSERT INTO audit_log (occurred_at, event, app_id, actor, client_ip, details) "
                        + "VALUES (:at, :event, :appId, :actor, :clientIp, "
                        + "jsonb_object(CAST(:keys AS text[]), CAST(:values AS text[])))")
                .bind("at", OffsetDateTime.ofInstant(event.at(), ZoneOffset.UTC))
                .bind("event", event.type().code())
                .bindByType("appId", event.appId().orElse(null), UUID.class)
                .bind("actor", event.actor())
                .bindByType("clientIp", event.clientIp().orElse(null), String.class)
                .bind("keys", SqlArrays.text(keys))
                .bind("values", SqlArrays.text(values))
                .execute()));
    }

    @Override
    public List<AuditEvent> read(UUID appId, Instant since, Instant until, int limit) {
        Objects.requireNonNull(appId, "appId");
        return select(Optional.of(appId), since, until, limit);
    }

    @Override
    public List<AuditEvent> readAll(Instant since, Instant until, int limit) {
        return select(Optional.empty(), since, until, limit);
    }

    private List<AuditEvent> select(Optional<UUID> appId, Instant since, Instant until, int limit) {
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        if (until.isBefore(since)) {
            throw new IllegalArgumentException("until must not be before since");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
        }
        String appFilter = appId.isPresent() ? "app_id = :appId AND " : "";
        return PersistenceErrors.call("read the audit trail", () -> jdbi.withHandle(handle -> {
            var query = handle.createQuery("SELECT occurred_at, event, app_id, actor, client_ip, "
                            + "ARRAY(SELECT key FROM jsonb_each_text(details) ORDER BY key) AS detail_keys, "
                            + "ARRAY(SELECT value FROM jsonb_each_text(details) ORDER BY key) AS detail_values "
                            + "FROM audit_log WHERE " + appFilter + "occurred_at >= :since AND occurred_at < :until "
                            + "ORDER BY occurred_at, id LIMIT :limit")
                    .bind("since", OffsetDateTime.ofInstant(since, ZoneOffset.UTC))
                    .bind("until", OffsetDateTime.ofInstant(until, ZoneOffset.UTC))
                    .bind("limit", limit);
            appId.ifPresent(id -> query.bind("appId", id));
            return query.map(JdbiAuditLog::event).list();
        }));
    }

    private static AuditEvent event(ResultSet row, StatementContext context) throws SQLException {
        String[] keys = strings(row.getArray("detail_keys"));
        String[] values = strings(row.getArray("detail_values"));
        Map<String, String> details = new LinkedHashMap<>();
        for (int i = 0; i < keys.length; i++) {
            details.put(keys[i], values[i]);
        }
        return new AuditEvent(row.getObject("occurred_at", OffsetDateTime.class).toInstant(),
                AuditEventType.valueOf(row.getString("event").toUpperCase(java.util.Locale.ROOT)),
                Optional.ofNullable(row.getObject("app_id", UUID.class)), row.getString("actor"),
                Optional.ofNullable(row.getString("client_ip")), details);
    }

    private static String[] strings(Array array) throws SQLException {
        return array == null ? new String[0] : (String[]) array.getArray();
    }
}
