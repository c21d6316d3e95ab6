package dev.switchboard.persistence;

import dev.switchboard.core.oauth.SecretHash;
import dev.switchboard.core.secrets.Sealed;
import dev.switchboard.core.secrets.SealedRows;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * {@link SealedRows} over every sealed column: the two tokens of {@code dialpad_connections} (one key id for both),
 * the PKCE verifier of {@code oauth_flows}, and the secret of {@code dialpad_webhooks} with the secret a rotation
 * replaced while it is still kept, each with the associated data its store seals it with. A replacement is an {@code UPDATE} conditioned on the key id and ciphertext read, so a row
 * rewritten meanwhile is left alone; one batch is one short transaction.
 *
 * <p>{@link #runExclusively} holds a session-level advisory lock so that one instance re-seals at a time; the lock
 * goes with the session if the instance dies.
 */
public final class JdbiSealedRows implements SealedRows {
    /** Advisory lock class ("SBRS") of re-sealing, distinct from the purges' and the call keys'. */
    static final int LOCK_CLASS = 0x5342_5253;
    private static final String CONNECTION = "connection";
    private static final String OAUTH_FLOW = "oauth_flow";
    private static final String DIALPAD_WEBHOOK = "dialpad_webhook";
    private static final String PREVIOUS_WEBHOOK_SECRET = "previous_webhook_secret";

    private final Jdbi jdbi;

    private JdbiSealedRows(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The sealed rows of {@code database}. */
    public static JdbiSealedRows create(Database database) {
        return new JdbiSealedRows(Objects.requireNonNull(database, "database").jdbi());
    }

    /**
     * Runs {@code work} while holding the re-sealing lock and returns true, or returns false at once when another
     * session holds it.
     */
    public boolean runExclusively(Runnable work) {
        Objects.requireNonNull(work, "work");
        return PersistenceErrors.call("take the re-sealing lock", () -> jdbi.withHandle(handle -> {
            boolean locked = handle.createQuery("SELECT pg_try_advisory_lock(:class, 0)")
                    .bind("class", LOCK_CLASS).mapTo(Boolean.class).one();
            if (!locked) {
                return false;
            }
            try {
                work.run();
            } finally {
                handle.createQuery("SELECT pg_advisory_unlock(:class, 0)").bind("class", LOCK_CLASS)
                        .mapTo(Boolean.class).one();
            }
            return true;
        }));
    }

    @Override
    public List<Row> sealedUnderOtherKeys(String activeKeyId, Set<String> readableKeyIds, int limit) {
        Objects.requireNonNull(activeKeyId, "activeKeyId");
        String[] readable = readableKeyIds.toArray(new String[0]);
        return PersistenceErrors.call("read rows to re-seal", () -> jdbi.withHandle(handle -> {
            List<Row> rows = new ArrayList<>();
            rows.addAll(handle.createQuery("""
                            SELECT app_id, key_id, access_token_ciphertext, refresh_token_ciphertext
                            FROM dialpad_connections
                            WHERE key_id <> :active AND key_id = ANY(:readable) LIMIT :limit""")
                    .bind("active", activeKeyId).bindArray("readable", String.class, (Object[]) readable)
                    .bind("limit", limit)
                    .map((rs, ctx) -> {
                        UUID app = rs.getObject("app_id", UUID.class);
                        String key = rs.getString("key_id");
                        return new Row(CONNECTION, app.toString(), List.of(
                                new Value(new Sealed(key, rs.getBytes("access_token_ciphertext")),
                                        JdbiConnectionStore.accessData(app)),
                                new Value(new Sealed(key, rs.getBytes("refresh_token_ciphertext")),
                                        JdbiConnectionStore.refreshData(app))));
                    }).list());
            if (rows.size() < limit) {
                rows.addAll(handle.createQuery("""
                                SELECT state_hash, app_id, verifier_key_id, verifier_ciphertext FROM oauth_flows
                                WHERE verifier_key_id <> :active AND verifier_key_id = ANY(:readable) LIMIT :limit""")
                        .bind("active", activeKeyId).bindArray("readable", String.class, (Object[]) readable)
                        .bind("limit", limit - rows.size())
                        .map((rs, ctx) -> {
                            SecretHash state = SecretHash.fromDigest(rs.getBytes("state_hash"));
                            return new Row(OAUTH_FLOW, state.hex(), List.of(new Value(
                                    new Sealed(rs.getString("verifier_key_id"), rs.getBytes("verifier_ciphertext")),
                                    JdbiOAuthFlowStore.associatedData(rs.getObject("app_id", UUID.class), state))));
                        }).list());
            }
            if (rows.size() < limit) {
                rows.addAll(handle.createQuery("""
                                SELECT id, app_id, dialpad_webhook_id, secret_key_id, secret_ciphertext
                                FROM dialpad_webhooks
                                WHERE secret_key_id <> :active AND secret_key_id = ANY(:readable) LIMIT :limit""")
                        .bind("active", activeKeyId).bindArray("readable", String.class, (Object[]) readable)
                        .bind("limit", limit - rows.size())
                        .map((rs, ctx) -> new Row(DIALPAD_WEBHOOK, rs.getObject("id", UUID.class).toString(),
                                List.of(new Value(
                                        new Sealed(rs.getString("secret_key_id"), rs.getBytes("secret_ciphertext")),
                                        JdbiDialpadWebhookStore.associatedData(rs.getObject("app_id", UUID.class),
                                                rs.getString("dialpad_webhook_id"))))))
                        .list());
            }
            if (rows.size() < limit) {
                // a rotated secret stays accepted for a day, so it is re-sealed like the current one
                rows.addAll(handle.createQuery("""
                                SELECT id, app_id, dialpad_webhook_id, previous_secret_key_id, previous_secret_ciphertext
                                FROM dialpad_webhooks
                                WHERE previous_secret_key_id <> :active AND previous_secret_key_id = ANY(:readable)
                                LIMIT :limit""")
                        .bind("active", activeKeyId).bindArray("readable", String.class, (Object[]) readable)
                        .bind("limit", limit - rows.size())
                        .map((rs, ctx) -> new Row(PREVIOUS_WEBHOOK_SECRET, rs.getObject("id", UUID.class).toString(),
                                List.of(new Value(new Sealed(rs.getString("previous_secret_key_id"),
                                        rs.getBytes("previous_secret_ciphertext")),
                                        JdbiDialpadWebhookStore.associatedData(rs.getObject("app_id", UUID.class),
                                                rs.getString("dialpad_webhook_id"))))))
                        .list());
            }
            return rows;
        }));
    }

    @Override
    public int replace(List<Replacement> replacements) {
        if (replacements.isEmpty()) {
            return 0;
        }
        return PersistenceErrors.call("write re-sealed rows", () -> jdbi.inTransaction(handle -> {
            PreparedBatch connections = handle.prepareBatch("""
                    UPDATE dialpad_connections SET key_id = :key, access_token_ciphertext = :access,
                        refresh_token_ciphertext = :refresh
                    WHERE app_id = :id AND key_id = :old_key AND access_token_ciphertext = :old_access
                        AND refresh_token_ciphertext = :old_refresh""");
            PreparedBatch flows = handle.prepareBatch("""
                    UPDATE oauth_flows SET verifier_key_id = :key, verifier_ciphertext = :value
                    WHERE state_hash = :id AND verifier_key_id = :old_key AND verifier_ciphertext = :old_value""");
            PreparedBatch webhooks = handle.prepareBatch("""
                    UPDATE dialpad_webhooks SET secret_key_id = :key, secret_ciphertext = :value
                    WHERE id = :id AND secret_key_id = :old_key AND secret_ciphertext = :old_value""");
            PreparedBatch previousSecrets = handle.prepareBatch("""
                    UPDATE dialpad_webhooks SET previous_secret_key_id = :key, previous_secret_ciphertext = :value
                    WHERE id = :id AND previous_secret_key_id = :old_key
                        AND previous_secret_ciphertext = :old_value""");
            for (Replacement replacement : replacements) {
                Row row = replacement.row();
                List<Sealed> fresh = replacement.values();
                switch (row.kind()) {
                    case CONNECTION -> connections.bind("key", fresh.get(0).keyId())
                            .bind("access", fresh.get(0).ciphertext()).bind("refresh", fresh.get(1).ciphertext())
                            .bind("id", UUID.fromString(row.id())).bind("old_key", row.keyId())
                            .bind("old_access", row.values().get(0).sealed().ciphertext())
                            .bind("old_refresh", row.values().get(1).sealed().ciphertext()).add();
                    case OAUTH_FLOW -> single(flows, row, fresh.get(0)).bind("id", HexFormat.of().parseHex(row.id()))
                            .add();
                    case DIALPAD_WEBHOOK -> single(webhooks, row, fresh.get(0)).bind("id", UUID.fromString(row.id()))
                            .add();
                    case PREVIOUS_WEBHOOK_SECRET -> single(previousSecrets, row, fresh.get(0))
                            .bind("id", UUID.fromString(row.id())).add();
                    default -> throw new IllegalArgumentException("not a sealed row of this store: " + row.kind());
                }
            }
            return executed(connections) + executed(flows) + executed(webhooks) + executed(previousSecrets);
        }));
    }

    @Override
    public Map<String, Long> rowsPerKeyId() {
        return PersistenceErrors.call("count sealed rows per key", () -> jdbi.withHandle(handle -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            handle.createQuery("""
                            SELECT key_id, count(*) AS n FROM (
                                SELECT key_id FROM dialpad_connections
                                UNION ALL SELECT verifier_key_id FROM oauth_flows
                                UNION ALL SELECT secret_key_id FROM dialpad_webhooks
                                UNION ALL SELECT previous_secret_key_id FROM dialpad_webhooks
                                    WHERE previous_secret_key_id IS NOT NULL) sealed
                            GROUP BY key_id ORDER BY key_id""")
                    .map((rs, ctx) -> Map.entry(rs.getString("key_id"), rs.getLong("n")))
                    .forEach(entry -> counts.put(entry.getKey(), entry.getValue()));
            return counts;
        }));
    }

    private static PreparedBatch single(PreparedBatch batch, Row row, Sealed fresh) {
        return batch.bind("key", fresh.keyId()).bind("value", fresh.ciphertext()).bind("old_key", row.keyId())
                .bind("old_value", row.values().get(0).sealed().ciphertext());
    }

    private static int executed(PreparedBatch batch) {
        if (batch.size() == 0) {
            return 0;
        }
        int total = 0;
        for (int count : batch.execute()) {
            total += count;
        }
        return total;
    }
}
