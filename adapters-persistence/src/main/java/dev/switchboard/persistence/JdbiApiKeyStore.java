package dev.switchboard.persistence;

import dev.switchboard.core.apikey.ApiKeyAction;
import dev.switchboard.core.apikey.ApiKeyAuditEntry;
import dev.switchboard.core.apikey.ApiKeyCandidate;
import dev.switchboard.core.apikey.ApiKeyStatus;
import dev.switchboard.core.apikey.ApiKeyAccessGeneration;
import dev.switchboard.core.apikey.ApiKeyIssuance;
import dev.switchboard.core.apikey.ApiKeyStore;
import dev.switchboard.core.apikey.StoredApiKey;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * {@link ApiKeyStore} on PostgreSQL (tables {@code api_keys} and {@code api_key_audit}, migration V2).
 *
 * <p>Each write is one transaction that first locks the app's row ({@code FOR NO KEY UPDATE}), so the writes of one
 * app are serialised across instances while other apps proceed in parallel; the partial unique index
 * {@code api_keys_one_active_per_app} backs the "one active key" promise at the database level. Rotation revokes
 * the old row (setting {@code revoked_at} and {@code rotated_at}), inserts the new one and appends the audit row in
 * that same transaction. Revoking a row also clears its lookup prefix and bcrypt hash (migration V10), so a dead key
 * is never found again and a request presenting it costs no bcrypt; the row keeps its hint and times for the audit
 * and the status. The prefix lookup reads one row through the unique index {@code api_keys_lookup_prefix_key}.
 *
 * <p>A rotation with a grace period (migration V18) leaves the old row unrevoked, with its prefix and hash, and sets
 * {@code rotated_at} and {@code grace_ends_at}; the lookup returns it with that grace end and the authenticator
 * decides with its clock. The next rotation or revocation of the app revokes it (at its grace end when that came
 * first), so at most one key per app is in grace ({@code api_keys_one_in_grace_per_app}).
 *
 * <p>Thread-safe; database failures become {@link dev.switchboard.core.StoreUnavailableException}.
 */
public final class JdbiApiKeyStore implements ApiKeyStore, ApiKeyAccessGeneration {
    /** The prefix lookup; package-private so a test can EXPLAIN exactly this statement. */
    static final String FIND_BY_PREFIX_SQL = """
            SELECT k.app_id, k.bcrypt_hash, k.key_hint, k.revoked_at IS NULL AS key_active, a.is_active AS app_active,
                k.grace_ends_at
            FROM api_keys k JOIN apps a ON a.id = k.app_id
            WHERE k.lookup_prefix = :prefix""";

    private static final Pattern LOOKUP_PREFIX = Pattern.compile("[0-9a-f]{16}");

    private final Jdbi jdbi;

    private JdbiApiKeyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A store on {@code database}. */
    public static JdbiApiKeyStore create(Database database) {
        return new JdbiApiKeyStore(Objects.requireNonNull(database, "database").jdbi());
    }

    @Override
    public Optional<ApiKeyAuditEntry> createOrRotate(UUID appId, StoredApiKey key, String actor, Instant at) {
        return createOrRotate(appId, key, actor, at, Duration.ZERO);
    }

    @Override
    public Optional<ApiKeyAuditEntry> createOrRotate(UUID appId, StoredApiKey key, String actor, Instant at,
                                                     Duration grace) {
        ApiKeyIssuance.checkGrace(grace);
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(key, "key");
        ApiKeyAuditEntry.checkActor(actor);
        Objects.requireNonNull(at, "at");
        return PersistenceErrors.call("store an API key", () -> {
            try {
                return jdbi.inTransaction(handle -> {
                    if (!lockApp(handle, appId)) {
                        return Optional.<ApiKeyAuditEntry>empty();
                    }
                    endGrace(handle, appId, actor, at);
                    // timestamptz keeps microseconds: the end answered and audited is exactly the one stored
                    Instant end = at.plus(grace).truncatedTo(ChronoUnit.MICROS);
                    Optional<String> oldHint = grace.isZero()
                            ? handle.createQuery("""
                                    UPDATE api_keys SET revoked_at = :at, revoked_by = :actor, rotated_at = :at,
                                        lookup_prefix = NULL, bcrypt_hash = NULL
                                    WHERE app_id = :app AND revoked_at IS NULL
                                    RETURNING key_hint""")
                            .bind("at", utc(at)).bind("actor", actor).bind("app", appId)
                            .mapTo(String.class).findOne()
                            : handle.createQuery("""
                                    UPDATE api_keys SET rotated_at = :at, grace_ends_at = :end
                                    WHERE app_id = :app AND revoked_at IS NULL
                                    RETURNING key_hint""")
                            .bind("at", utc(at)).bind("end", utc(end)).bind("app", appId)
                            .mapTo(String.class).findOne();
                    Optional<Instant> graceEnd = oldHint.isPresent() && !grace.isZero()
                            ? Optional.of(end) : Optional.empty();
                    handle.createUpdate("""
                                    INSERT INTO api_keys (app_id, lookup_prefix, bcrypt_hash, key_hint, created_at, created_by)
                                    VALUES (:app, :prefix, :hash, :hint, :at, :actor)""")
                            .bind("app", appId).bind("prefix", key.lookupPrefix()).bind("hash", key.bcryptHash())
                            .bind("hint", key.hint()).bind("at", utc(at)).bind("actor", actor)
                            .execute();
                    ApiKeyAuditEntry entry = new ApiKeyAuditEntry(appId,
                            oldHint.isPresent() ? ApiKeyAction.ROTATED : ApiKeyAction.CREATED,
                            oldHint, Optional.of(key.hint()), actor, at, graceEnd);
                    appendAudit(handle, entry);
                    return Optional.of(entry);
                });
            } catch (JdbiException e) {
                if (PersistenceErrors.isUniqueViolation(e)) {
                    // the app row lock rules out a second active key, so this is the lookup prefix colliding
                    throw new IllegalStateException("another API key already uses this lookup prefix");
                }
                throw e;
            }
        });
    }

    @Override
    public Optional<ApiKeyAuditEntry> revoke(UUID appId, String actor, Instant at) {
        Objects.requireNonNull(appId, "appId");
        ApiKeyAuditEntry.checkActor(actor);
        Objects.requireNonNull(at, "at");
        return PersistenceErrors.call("revoke an API key", () -> jdbi.inTransaction(handle -> {
            // the same lock as createOrRotate, so a revocation never misses a key rotated in concurrently
            if (!lockApp(handle, appId)) {
                return Optional.<ApiKeyAuditEntry>empty();
            }
            endGrace(handle, appId, actor, at);
            Optional<String> oldHint = handle.createQuery("""
                            UPDATE api_keys SET revoked_at = :at, revoked_by = :actor, lookup_prefix = NULL,
                                bcrypt_hash = NULL
                            WHERE app_id = :app AND revoked_at IS NULL
                            RETURNING key_hint""")
                    .bind("at", utc(at)).bind("actor", actor).bind("app", appId)
                    .mapTo(String.class).findOne();
            if (oldHint.isEmpty()) {
                return Optional.<ApiKeyAuditEntry>empty();
            }
            ApiKeyAuditEntry entry = new ApiKeyAuditEntry(appId, ApiKeyAction.REVOKED, oldHint, Optional.empty(), actor, at);
            appendAudit(handle, entry);
            return Optional.of(entry);
        }));
    }

    @Override
    public ApiKeyStatus status(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        // the key in grace sorts after the active key: unrevoked first, then without a grace end, then newest
        return PersistenceErrors.call("read an API key status", () -> jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT k.key_hint, k.created_at, k.revoked_at, g.key_hint AS previous_hint, g.grace_ends_at
                        FROM api_keys k
                        LEFT JOIN api_keys g ON g.app_id = k.app_id AND k.revoked_at IS NULL
                            AND g.revoked_at IS NULL AND g.grace_ends_at IS NOT NULL
                        WHERE k.app_id = :app
                        ORDER BY (k.revoked_at IS NULL) DESC, (k.grace_ends_at IS NULL) DESC, k.id DESC
                        LIMIT 1""")
                .bind("app", appId)
                .map((rs, ctx) -> {
                    Optional<Instant> revokedAt = Optional.ofNullable(instant(rs, "revoked_at"));
                    return new ApiKeyStatus(revokedAt.isPresent() ? ApiKeyStatus.State.REVOKED : ApiKeyStatus.State.ACTIVE,
                            Optional.of(rs.getString("key_hint")), Optional.of(instant(rs, "created_at")), revokedAt,
                            Optional.ofNullable(rs.getString("previous_hint")),
                            Optional.ofNullable(instant(rs, "grace_ends_at")));
                })
                .findOne()
                .orElseGet(ApiKeyStatus::none)));
    }

    @Override
    public List<ApiKeyAuditEntry> audit(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        return PersistenceErrors.call("read the API key audit", () -> jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT app_id, action, old_hint, new_hint, actor, occurred_at, previous_key_expires_at
                        FROM api_key_audit
                        WHERE app_id = :app
                        ORDER BY occurred_at, id""")
                .bind("app", appId)
                .map((rs, ctx) -> new ApiKeyAuditEntry(rs.getObject("app_id", UUID.class),
                        ApiKeyAction.fromCode(rs.getString("action")),
                        Optional.ofNullable(rs.getString("old_hint")), Optional.ofNullable(rs.getString("new_hint")),
                        rs.getString("actor"), instant(rs, "occurred_at"),
                        Optional.ofNullable(instant(rs, "previous_key_expires_at"))))
                .list()));
    }

    @Override
    public Optional<ApiKeyCandidate> findByLookupPrefix(String lookupPrefix) {
        Objects.requireNonNull(lookupPrefix, "lookupPrefix");
        if (!LOOKUP_PREFIX.matcher(lookupPrefix).matches()) {
            throw new IllegalArgumentException("a lookup prefix is 16 lowercase hex digits");
        }
        return PersistenceErrors.call("look up an API key", () -> jdbi.withHandle(handle -> handle
                .createQuery(FIND_BY_PREFIX_SQL)
                .bind("prefix", lookupPrefix)
                .map((rs, ctx) -> new ApiKeyCandidate(rs.getObject("app_id", UUID.class), rs.getString("bcrypt_hash"),
                        rs.getString("key_hint"), rs.getBoolean("key_active"), rs.getBoolean("app_active"),
                        Optional.ofNullable(instant(rs, "grace_ends_at"))))
                .findOne()));
    }

    /** The counter of migration V8, moved by triggers on {@code api_keys} and {@code apps}: one row read by key. */
    @Override
    public long accessGeneration() {
        return PersistenceErrors.call("read the API key access generation", () -> jdbi.withHandle(handle ->
                handle.createQuery("SELECT generation FROM api_key_access_generation")
                        .mapTo(Long.class)
                        .one()));
    }

    /** Locks the app's row for the rest of the transaction; false when there is no such app. */
    private static boolean lockApp(Handle handle, UUID appId) {
        return handle.createQuery("SELECT 1 FROM apps WHERE id = :app FOR NO KEY UPDATE")
                .bind("app", appId)
                .mapTo(Integer.class)
                .findOne()
                .isPresent();
    }

    /**
     * Revokes the app's key in grace, if any: at {@code at}, or at its grace end when that came first, so the row
     * tells when the key really stopped. Rotated away already, so no audit entry of its own.
     */
    private static void endGrace(Handle handle, UUID appId, String actor, Instant at) {
        handle.createUpdate("""
                        UPDATE api_keys SET revoked_at = LEAST(grace_ends_at, :at), revoked_by = :actor,
                            lookup_prefix = NULL, bcrypt_hash = NULL
                        WHERE app_id = :app AND revoked_at IS NULL AND grace_ends_at IS NOT NULL""")
                .bind("at", utc(at)).bind("actor", actor).bind("app", appId)
                .execute();
    }

    private static void appendAudit(Handle handle, ApiKeyAuditEntry entry) {
        handle.createUpdate("""
                        INSERT INTO api_key_audit (app_id, action, old_hint, new_hint, actor, occurred_at,
                            previous_key_expires_at)
                        VALUES (:app, :action, :old, :new, :actor, :at, :expires)""")
                .bind("app", entry.appId()).bind("action", entry.action().code())
                .bind("old", entry.oldHint().orElse(null)).bind("new", entry.newHint().orElse(null))
                .bind("actor", entry.actor()).bind("at", utc(entry.at()))
                .bind("expires", entry.previousKeyExpiresAt().map(JdbiApiKeyStore::utc).orElse(null))
                .execute();
    }

    private static OffsetDateTime utc(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
