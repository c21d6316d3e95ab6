package dev.switchboard.persistence;

import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.ConnectionStore;
import dev.switchboard.core.oauth.ConnectionSummary;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.secrets.Sealed;
import dev.switchboard.core.secrets.SecretCipher;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * {@link ConnectionStore} on the {@code dialpad_connections} table, one row per app.
 *
 * <p>Both tokens are sealed with {@link SecretCipher} under associated data {@code connection:<appId>:access} and
 * {@code connection:<appId>:refresh}, so a ciphertext copied to another app or the other column does not open; the
 * database never holds a token in clear. Rows are decrypted only after JDBI has handed them over.
 *
 * <p>Leases: {@link #claimDue} locks candidate rows with {@code FOR UPDATE SKIP LOCKED} inside one
 * {@code UPDATE … FROM (SELECT …) RETURNING}, so concurrent claimers on any instance split the due rows between
 * them; {@link #tryLease} is one conditional {@code UPDATE}, which PostgreSQL re-checks on the committed row after
 * waiting for a concurrent one, so exactly one of two racing callers wins. Instants come from the caller's clock.
 * Thread-safe.
 */
public final class JdbiConnectionStore implements ConnectionStore {
    private static final int MAX_OWNER_LENGTH = 200;
    private static final int MAX_CLAIM = 1000;
    private static final String SUMMARY_COLUMNS = """
            app_id, organisation_id, environment, expires_at, tokens_obtained_at, connected_at,
            last_refresh_success_at, last_refresh_failure_at, consecutive_failures, last_error_code, needs_reconnect,
            next_attempt_at""";
    private static final String COLUMNS = SUMMARY_COLUMNS
            + ", key_id, access_token_ciphertext, refresh_token_ciphertext";

    private final Jdbi jdbi;
    private final SecretCipher cipher;

    private JdbiConnectionStore(Jdbi jdbi, SecretCipher cipher) {
        this.jdbi = jdbi;
        this.cipher = cipher;
    }

    /** A store on {@code database} sealing tokens with {@code cipher}. */
    public static JdbiConnectionStore create(Database database, SecretCipher cipher) {
        return new JdbiConnectionStore(Objects.requireNonNull(database, "database").jdbi(),
                Objects.requireNonNull(cipher, "cipher"));
    }

    /**
     * {@inheritDoc} The replaced row is read {@code FOR UPDATE} in the same transaction as the upsert, so a refresh
     * committing in between cannot leave the returned tokens stale.
     */
    @Override
    public Optional<Connection> save(Connection connection) {
        Objects.requireNonNull(connection, "connection");
        UUID appId = connection.appId();
        Sealed access = cipher.sealString(connection.accessToken(), accessData(appId));
        Sealed refresh = cipher.sealString(connection.refreshToken(), refreshData(appId));
        RefreshHealth health = connection.health();
        Optional<Row> replaced = PersistenceErrors.call("store a Dialpad connection", () -> jdbi.inTransaction(handle -> {
            Optional<Row> previous = handle.createQuery("SELECT " + COLUMNS
                    + " FROM dialpad_connections WHERE app_id = :app FOR UPDATE")
                    .bind("app", appId)
                    .map((rows, context) -> readRow(rows))
                    .findOne();
            handle.createUpdate("""
                        INSERT INTO dialpad_connections (app_id, organisation_id, environment, key_id,
                            access_token_ciphertext, refresh_token_ciphertext, expires_at, tokens_obtained_at,
                            connected_at, last_refresh_success_at, last_refresh_failure_at, consecutive_failures,
                            last_error_code, needs_reconnect, next_attempt_at)
                        VALUES (:app, :organisation, :environment, :key, :access, :refresh, :expires, :obtained,
                            :connected, :success, :failure, :failures, :error, :reconnect, :next)
                        ON CONFLICT (app_id) DO UPDATE SET
                            organisation_id = EXCLUDED.organisation_id, environment = EXCLUDED.environment,
                            key_id = EXCLUDED.key_id, access_token_ciphertext = EXCLUDED.access_token_ciphertext,
                            refresh_token_ciphertext = EXCLUDED.refresh_token_ciphertext,
                            expires_at = EXCLUDED.expires_at, tokens_obtained_at = EXCLUDED.tokens_obtained_at,
                            connected_at = EXCLUDED.connected_at,
                            last_refresh_success_at = EXCLUDED.last_refresh_success_at,
                            last_refresh_failure_at = EXCLUDED.last_refresh_failure_at,
                            consecutive_failures = EXCLUDED.consecutive_failures,
                            last_error_code = EXCLUDED.last_error_code, needs_reconnect = EXCLUDED.needs_reconnect,
                            next_attempt_at = EXCLUDED.next_attempt_at, lease_owner = NULL, lease_until = NULL,
                            updated_at = now()""")
                    .bind("app", appId)
                    .bind("organisation", connection.organisationId())
                    .bind("environment", connection.environment().code())
                    .bind("key", sameKey(access, refresh))
                    .bind("access", access.ciphertext())
                    .bind("refresh", refresh.ciphertext())
                    .bind("expires", OAuthColumns.bind(connection.expiresAt()))
                    .bind("obtained", OAuthColumns.bind(connection.tokensObtainedAt()))
                    .bind("connected", OAuthColumns.bind(connection.connectedAt()))
                    .bind("success", OAuthColumns.bind(health.lastSuccessAt().orElse(null)))
                    .bind("failure", OAuthColumns.bind(health.lastFailureAt().orElse(null)))
                    .bind("failures", health.consecutiveFailures())
                    .bind("error", health.lastErrorCode().orElse(null))
                    .bind("reconnect", health.needsReconnect())
                    .bind("next", OAuthColumns.bind(health.nextAttemptAt()))
                    .execute();
            return previous;
        }));
        return replaced.map(this::open);
    }

    @Override
    public Optional<Connection> find(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        return PersistenceErrors.call("read a Dialpad connection", () -> jdbi.withHandle(handle -> handle
                        .createQuery("SELECT " + COLUMNS + " FROM dialpad_connections WHERE app_id = :app")
                        .bind("app", appId)
                        .map((rows, context) -> readRow(rows))
                        .findOne()))
                .map(this::open);
    }

    @Override
    public Optional<ConnectionSummary> findSummary(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        return PersistenceErrors.call("read a Dialpad connection", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + SUMMARY_COLUMNS + " FROM dialpad_connections WHERE app_id = :app")
                .bind("app", appId)
                .map((rows, context) -> readSummary(rows))
                .findOne()));
    }

    @Override
    public List<ConnectionSummary> findByOrganisation(String organisationId) {
        Objects.requireNonNull(organisationId, "organisationId");
        return PersistenceErrors.call("find connections by organisation", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + SUMMARY_COLUMNS + " FROM dialpad_connections"
                        + " WHERE organisation_id = :organisation ORDER BY connected_at, app_id")
                .bind("organisation", organisationId.strip())
                .map((rows, context) -> readSummary(rows))
                .list()));
    }

    @Override
    public boolean delete(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        return PersistenceErrors.call("delete a Dialpad connection", () -> jdbi.withHandle(handle -> handle
                .createUpdate("DELETE FROM dialpad_connections WHERE app_id = :app")
                .bind("app", appId)
                .execute())) == 1;
    }

    @Override
    public List<Connection> claimDue(Instant now, Duration leaseDuration, int limit, String owner) {
        Objects.requireNonNull(now, "now");
        checkLease(leaseDuration, owner);
        if (limit < 1 || limit > MAX_CLAIM) {
            throw new IllegalArgumentException("the claim limit must be between 1 and " + MAX_CLAIM);
        }
        List<Row> rows = PersistenceErrors.call("claim due Dialpad connections", () -> jdbi.withHandle(handle ->
                handle.createQuery("""
                                UPDATE dialpad_connections c
                                SET lease_owner = :owner, lease_until = :until, updated_at = now()
                                FROM (SELECT app_id FROM dialpad_connections
                                      WHERE next_attempt_at <= :now AND NOT needs_reconnect
                                        AND (lease_until IS NULL OR lease_until <= :now)
                                      ORDER BY next_attempt_at
                                      LIMIT :limit
                                      FOR UPDATE SKIP LOCKED) due
                                WHERE c.app_id = due.app_id
                                RETURNING""" + " " + prefixed("c.", COLUMNS))
                        .bind("owner", owner)
                        .bind("until", OAuthColumns.bind(now.plus(leaseDuration)))
                        .bind("now", OAuthColumns.bind(now))
                        .bind("limit", limit)
                        .map((result, context) -> readRow(result))
                        .list()));
        return rows.stream()
                .map(this::open)
                .sorted(Comparator.comparing((Connection c) -> c.health().nextAttemptAt()))
                .toList();
    }

    @Override
    public Optional<Connection> tryLease(UUID appId, String owner, Instant now, Duration duration) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(now, "now");
        checkLease(duration, owner);
        return PersistenceErrors.call("lease a Dialpad connection", () -> jdbi.withHandle(handle -> handle
                        .createQuery("""
                                UPDATE dialpad_connections
                                SET lease_owner = :owner, lease_until = :until, updated_at = now()
                                WHERE app_id = :app
                                  AND (lease_until IS NULL OR lease_until <= :now OR lease_owner = :owner)
                                RETURNING""" + " " + COLUMNS)
                        .bind("app", appId)
                        .bind("owner", owner)
                        .bind("until", OAuthColumns.bind(now.plus(duration)))
                        .bind("now", OAuthColumns.bind(now))
                        .map((rows, context) -> readRow(rows))
                        .findOne()))
                .map(this::open);
    }

    @Override
    public boolean recordRefreshed(UUID appId, String owner, String accessToken, String refreshToken,
                                   Instant expiresAt, Instant nextAttemptAt, Instant now) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(refreshToken, "refreshToken");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        Objects.requireNonNull(now, "now");
        if (accessToken.isBlank() || refreshToken.isBlank()) {
            throw new IllegalArgumentException("a refresh must store an access token and a refresh token");
        }
        Sealed access = cipher.sealString(accessToken, accessData(appId));
        Sealed refresh = cipher.sealString(refreshToken, refreshData(appId));
        // one statement, so the rotated refresh token and its access token commit together or not at all
        return PersistenceErrors.call("record a token refresh", () -> jdbi.withHandle(handle -> handle
                .createUpdate("""
                        UPDATE dialpad_connections
                        SET key_id = :key, access_token_ciphertext = :access, refresh_token_ciphertext = :refresh,
                            expires_at = :expires, tokens_obtained_at = :now, last_refresh_success_at = :now,
                            consecutive_failures = 0, needs_reconnect = false, next_attempt_at = :next,
                            lease_owner = NULL, lease_until = NULL, updated_at = now()
                        WHERE app_id = :app AND lease_owner = :owner""")
                .bind("key", sameKey(access, refresh))
                .bind("access", access.ciphertext())
                .bind("refresh", refresh.ciphertext())
                .bind("expires", OAuthColumns.bind(expiresAt))
                .bind("now", OAuthColumns.bind(now))
                .bind("next", OAuthColumns.bind(nextAttemptAt))
                .bind("app", appId)
                .bind("owner", owner)
                .execute())) == 1;
    }

    @Override
    public boolean recordRefreshFailure(UUID appId, String owner, String errorCode, Instant retryAt,
                                        boolean needsReconnect, Instant now) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(owner, "owner");
        RefreshHealth.validErrorCode(errorCode);
        Objects.requireNonNull(retryAt, "retryAt");
        Objects.requireNonNull(now, "now");
        return PersistenceErrors.call("record a failed token refresh", () -> jdbi.withHandle(handle -> handle
                .createUpdate("""
                        UPDATE dialpad_connections
                        SET last_refresh_failure_at = :now, consecutive_failures = consecutive_failures + 1,
                            last_error_code = :error, needs_reconnect = :reconnect, next_attempt_at = :retry,
                            lease_owner = NULL, lease_until = NULL, updated_at = now()
                        WHERE app_id = :app AND lease_owner = :owner""")
                .bind("now", OAuthColumns.bind(now))
                .bind("error", errorCode)
                .bind("reconnect", needsReconnect)
                .bind("retry", OAuthColumns.bind(retryAt))
                .bind("app", appId)
                .bind("owner", owner)
                .execute())) == 1;
    }

    @Override
    public boolean releaseLease(UUID appId, String owner) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(owner, "owner");
        return PersistenceErrors.call("release a connection lease", () -> jdbi.withHandle(handle -> handle
                .createUpdate("""
                        UPDATE dialpad_connections SET lease_owner = NULL, lease_until = NULL, updated_at = now()
                        WHERE app_id = :app AND lease_owner = :owner""")
                .bind("app", appId)
                .bind("owner", owner)
                .execute())) == 1;
    }

    private Connection open(Row row) {
        UUID appId = row.summary().appId();
        String access = cipher.openString(new Sealed(row.keyId(), row.accessCiphertext()), accessData(appId));
        String refresh = cipher.openString(new Sealed(row.keyId(), row.refreshCiphertext()), refreshData(appId));
        ConnectionSummary s = row.summary();
        return new Connection(appId, s.organisationId(), access, refresh, s.expiresAt(), s.environment(),
                s.tokensObtainedAt(), s.connectedAt(), s.health());
    }

    private static Row readRow(ResultSet rows) throws SQLException {
        return new Row(readSummary(rows), rows.getString("key_id"), rows.getBytes("access_token_ciphertext"),
                rows.getBytes("refresh_token_ciphertext"));
    }

    private static ConnectionSummary readSummary(ResultSet rows) throws SQLException {
        String environment = rows.getString("environment");
        RefreshHealth health = new RefreshHealth(OAuthColumns.readOptional(rows, "last_refresh_success_at"),
                OAuthColumns.readOptional(rows, "last_refresh_failure_at"), rows.getInt("consecutive_failures"),
                Optional.ofNullable(rows.getString("last_error_code")), rows.getBoolean("needs_reconnect"),
                OAuthColumns.read(rows, "next_attempt_at"));
        return new ConnectionSummary(rows.getObject("app_id", UUID.class), rows.getString("organisation_id"),
                OAuthColumns.read(rows, "expires_at"),
                DialpadEnvironment.fromCode(environment)
                        .orElseThrow(() -> new SQLException("unknown environment " + environment)),
                OAuthColumns.read(rows, "tokens_obtained_at"), OAuthColumns.read(rows, "connected_at"), health);
    }

    private static void checkLease(Duration duration, String owner) {
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(owner, "owner");
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("a lease must last a positive time");
        }
        if (owner.isBlank() || owner.length() > MAX_OWNER_LENGTH) {
            throw new IllegalArgumentException("a lease owner must have 1 to " + MAX_OWNER_LENGTH + " characters");
        }
    }

    private static String sameKey(Sealed access, Sealed refresh) {
        if (!access.keyId().equals(refresh.keyId())) {
            // one key_id column serves both tokens; the cipher seals with its one current key
            throw new IllegalStateException("both tokens must be sealed with the same key");
        }
        return access.keyId();
    }

    private static String prefixed(String prefix, String columns) {
        return String.join(", ", Arrays.stream(columns.split(","))
                .map(column -> prefix + column.strip())
                .toList());
    }

    static String accessData(UUID appId) {
        return "connection:" + appId + ":access";
    }

    static String refreshData(UUID appId) {
        return "connection:" + appId + ":refresh";
    }

    private record Row(ConnectionSummary summary, String keyId, byte[] accessCiphertext, byte[] refreshCiphertext) {
    }
}
