package dev.switchboard.persistence;

import dev.switchboard.core.oauth.ConnectToken;
import dev.switchboard.core.oauth.ConnectTokenStore;
import dev.switchboard.core.oauth.SecretHash;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * {@link ConnectTokenStore} on the {@code connect_tokens} table. Only the SHA-256 of a token is stored.
 *
 * <p>Both the bound on flows per link and single completion rest on one conditional {@code UPDATE} each:
 * PostgreSQL re-checks the {@code WHERE} clause ({@code flows_started < max}, {@code completed_at IS NULL}) on the
 * row version a concurrent writer committed, so racing callers on any instance never exceed the bound and exactly
 * one completes. Thread-safe.
 */
public final class JdbiConnectTokenStore implements ConnectTokenStore {
    private final Jdbi jdbi;

    private JdbiConnectTokenStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** A store on {@code database}. */
    public static JdbiConnectTokenStore create(Database database) {
        return new JdbiConnectTokenStore(Objects.requireNonNull(database, "database").jdbi());
    }

    @Override
    public void save(ConnectToken token) {
        Objects.requireNonNull(token, "token");
        PersistenceErrors.run("store a connect token", () -> jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO connect_tokens (token_hash, app_id, created_at, expires_at, organisation_id)
                        VALUES (:hash, :app, :created, :expires, :organisation)""")
                .bind("hash", token.tokenHash().digest())
                .bind("app", token.appId())
                .bind("created", OAuthColumns.bind(token.createdAt()))
                .bind("expires", OAuthColumns.bind(token.expiresAt()))
                .bind("organisation", token.organisationId().orElse(null))
                .execute()));
    }

    @Override
    public Optional<ConnectToken> open(UUID appId, SecretHash tokenHash, Instant now, int maxFlows) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(now, "now");
        if (maxFlows < 1) {
            throw new IllegalArgumentException("maxFlows must be positive");
        }
        return PersistenceErrors.call("open a connect link", () -> jdbi.withHandle(handle -> handle.createQuery("""
                        UPDATE connect_tokens SET flows_started = flows_started + 1
                        WHERE token_hash = :hash AND app_id = :app AND completed_at IS NULL AND expires_at > :now
                          AND flows_started < :max
                        RETURNING created_at, expires_at, organisation_id""")
                .bind("hash", tokenHash.digest())
                .bind("app", appId)
                .bind("now", OAuthColumns.bind(now))
                .bind("max", maxFlows)
                .map((rows, context) -> new ConnectToken(tokenHash, appId, OAuthColumns.read(rows, "created_at"),
                        OAuthColumns.read(rows, "expires_at"),
                        Optional.ofNullable(rows.getString("organisation_id"))))
                .findOne()));
    }

    @Override
    public boolean canComplete(SecretHash tokenHash) {
        Objects.requireNonNull(tokenHash, "tokenHash");
        return PersistenceErrors.call("read a connect link", () -> jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT count(*) FROM connect_tokens WHERE token_hash = :hash AND completed_at IS NULL""")
                .bind("hash", tokenHash.digest())
                .mapTo(Integer.class)
                .one())) == 1;
    }

    @Override
    public boolean complete(SecretHash tokenHash, Instant now) {
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(now, "now");
        return PersistenceErrors.call("use up a connect link", () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE connect_tokens SET completed_at = :now
                        WHERE token_hash = :hash AND completed_at IS NULL""")
                .bind("hash", tokenHash.digest())
                .bind("now", OAuthColumns.bind(now))
                .execute())) == 1;
    }

    @Override
    public int purgeExpired(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        return BatchedPurge.run(jdbi, BatchedPurge.Job.CONNECT_TOKENS, "DELETE FROM connect_tokens WHERE "
                + "token_hash IN (SELECT token_hash FROM connect_tokens WHERE expires_at <= :cutoff LIMIT :batch)",
                update -> update.bind("cutoff", OAuthColumns.bind(cutoff)));
    }
}
