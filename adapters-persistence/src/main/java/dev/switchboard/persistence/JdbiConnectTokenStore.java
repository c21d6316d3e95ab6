package dev.switchboard.persistence;

import dev.switchboard.core.oauth.ConnectToken;
import dev.switchboard.core.oauth.ConnectTokenStore;
import dev.switchboard.core.oauth.SecretHash;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * {@link ConnectTokenStore} on the {@code connect_tokens} table. Only the SHA-256 of a token is stored. Single use
 * rests on one conditional {@code UPDATE}: PostgreSQL re-checks {@code consumed_at IS NULL} on the row version a
 * concurrent consumer committed, so exactly one of them changes the row. Thread-safe.
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
                        INSERT INTO connect_tokens (token_hash, app_id, created_at, expires_at)
                        VALUES (:hash, :app, :created, :expires)""")
                .bind("hash", token.tokenHash().digest())
                .bind("app", token.appId())
                .bind("created", OAuthColumns.bind(token.createdAt()))
                .bind("expires", OAuthColumns.bind(token.expiresAt()))
                .execute()));
    }

    @Override
    public boolean consume(UUID appId, SecretHash tokenHash, Instant now) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(tokenHash, "tokenHash");
        Objects.requireNonNull(now, "now");
        return PersistenceErrors.call("use a connect token", () -> jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE connect_tokens SET consumed_at = :now
                        WHERE token_hash = :hash AND app_id = :app AND consumed_at IS NULL AND expires_at > :now""")
                .bind("hash", tokenHash.digest())
                .bind("app", appId)
                .bind("now", OAuthColumns.bind(now))
                .execute())) == 1;
    }

    @Override
    public int purgeExpired(Instant now) {
        Objects.requireNonNull(now, "now");
        return PersistenceErrors.call("purge expired connect tokens", () -> jdbi.withHandle(handle -> handle
                .createUpdate("DELETE FROM connect_tokens WHERE expires_at <= :now")
                .bind("now", OAuthColumns.bind(now))
                .execute()));
    }
}
