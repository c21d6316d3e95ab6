package dev.switchboard.persistence;

import dev.switchboard.core.oauth.FlowOrigin;
import dev.switchboard.core.oauth.LinkBinding;
import dev.switchboard.core.oauth.OAuthFlow;
import dev.switchboard.core.oauth.OAuthFlowStore;
import dev.switchboard.core.oauth.SecretHash;
import dev.switchboard.core.secrets.Sealed;
import dev.switchboard.core.secrets.SecretCipher;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * {@link OAuthFlowStore} on the {@code oauth_flows} table. The state and the cookie nonce are kept as SHA-256 only;
 * the PKCE verifier is sealed with {@link SecretCipher}, bound to its app and state hash so a ciphertext moved to
 * another row does not open.
 *
 * <p>Each flow names the connect link it was started from (a foreign key: purging a link deletes its flows).
 *
 * <p>Single use rests on one {@code UPDATE … WHERE consumed_at IS NULL RETURNING …}: concurrent consumers of one
 * state serialise on its row lock, and PostgreSQL re-evaluates the condition on the committed version, so exactly
 * one gets the row back. Used rows stay (as tombstones) until {@link #purgeExpired}. Thread-safe.
 */
public final class JdbiOAuthFlowStore implements OAuthFlowStore {
    private final Jdbi jdbi;
    private final SecretCipher cipher;

    private JdbiOAuthFlowStore(Jdbi jdbi, SecretCipher cipher) {
        this.jdbi = jdbi;
        this.cipher = cipher;
    }

    /** A store on {@code database} sealing verifiers with {@code cipher}. */
    public static JdbiOAuthFlowStore create(Database database, SecretCipher cipher) {
        return new JdbiOAuthFlowStore(Objects.requireNonNull(database, "database").jdbi(),
                Objects.requireNonNull(cipher, "cipher"));
    }

    /** {@inheritDoc} A duplicate state hash throws IllegalArgumentException. */
    @Override
    public void save(OAuthFlow flow) {
        Objects.requireNonNull(flow, "flow");
        Sealed verifier = cipher.sealString(flow.verifier(), associatedData(flow.appId(), flow.stateHash()));
        int inserted = PersistenceErrors.call("store an OAuth flow", () -> jdbi.withHandle(handle -> handle
                .createUpdate("""
                        INSERT INTO oauth_flows (state_hash, app_id, cookie_nonce_hash, verifier_key_id,
                                                 verifier_ciphertext, created_at, expires_at, connect_token_hash,
                                                 organisation_id)
                        VALUES (:state, :app, :nonce, :key, :verifier, :created, :expires, :link, :organisation)
                        ON CONFLICT (state_hash) DO NOTHING""")
                .bind("state", flow.stateHash().digest())
                .bind("app", flow.appId())
                .bind("nonce", flow.browserNonceHash().digest())
                .bind("key", verifier.keyId())
                .bind("verifier", verifier.ciphertext())
                .bind("created", OAuthColumns.bind(flow.createdAt()))
                .bind("expires", OAuthColumns.bind(flow.expiresAt()))
                .bind("link", flow.link().tokenHash().digest())
                .bind("organisation", flow.link().organisationId().orElse(null))
                .execute()));
        if (inserted != 1) {
            throw new IllegalArgumentException("an OAuth flow with this state already exists");
        }
    }

    @Override
    public Consumption consume(SecretHash stateHash, Instant now) {
        Objects.requireNonNull(stateHash, "stateHash");
        Objects.requireNonNull(now, "now");
        Optional<FlowRow> row = PersistenceErrors.call("use an OAuth state", () -> jdbi.withHandle(handle -> handle
                .createQuery("""
                        UPDATE oauth_flows SET consumed_at = :now
                        WHERE state_hash = :state AND consumed_at IS NULL
                        RETURNING app_id, cookie_nonce_hash, verifier_key_id, verifier_ciphertext, created_at,
                                  expires_at, connect_token_hash, organisation_id""")
                .bind("state", stateHash.digest())
                .bind("now", OAuthColumns.bind(now))
                .map((rows, context) -> new FlowRow(rows.getObject("app_id", UUID.class),
                        rows.getBytes("cookie_nonce_hash"), rows.getString("verifier_key_id"),
                        rows.getBytes("verifier_ciphertext"), OAuthColumns.read(rows, "created_at"),
                        OAuthColumns.read(rows, "expires_at"), new LinkBinding(
                                SecretHash.fromDigest(rows.getBytes("connect_token_hash")),
                                Optional.ofNullable(rows.getString("organisation_id")))))
                .findOne()));
        if (row.isEmpty()) {
            return new Consumption.NotFound();
        }
        FlowRow flow = row.get();
        if (!now.isBefore(flow.expiresAt())) {
            // expired: the verifier is not even decrypted
            return new Consumption.Expired(new FlowOrigin(flow.appId(), flow.link()));
        }
        String verifier = cipher.openString(new Sealed(flow.keyId(), flow.verifierCiphertext()),
                associatedData(flow.appId(), stateHash));
        return new Consumption.Pending(new OAuthFlow(stateHash, flow.appId(), SecretHash.fromDigest(flow.nonceHash()),
                verifier, flow.createdAt(), flow.expiresAt(), flow.link()));
    }

    @Override
    public int purgeExpired(Instant now) {
        Objects.requireNonNull(now, "now");
        return BatchedPurge.run(jdbi, BatchedPurge.Job.OAUTH_FLOWS, "DELETE FROM oauth_flows WHERE state_hash IN "
                + "(SELECT state_hash FROM oauth_flows WHERE expires_at <= :now LIMIT :batch)",
                update -> update.bind("now", OAuthColumns.bind(now)));
    }

    static String associatedData(UUID appId, SecretHash stateHash) {
        return "oauth_flow:" + appId + ":" + stateHash.hex() + ":verifier";
    }

    private record FlowRow(UUID appId, byte[] nonceHash, String keyId, byte[] verifierCiphertext, Instant createdAt,
                           Instant expiresAt, LinkBinding link) {
    }
}
