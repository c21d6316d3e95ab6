package dev.switchboard.persistence;

import dev.switchboard.core.secrets.Sealed;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.DialpadWebhook;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.DialpadWebhookStore;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * {@link DialpadWebhookStore} on the {@code dialpad_webhooks} table. Thread-safe. Each secret is sealed with
 * {@link SecretCipher} bound to {@code dialpad-webhook:<app id>:<Dialpad webhook id>}, so a ciphertext copied to
 * another row fails to open; the row stores only the ciphertext and the key id.
 */
public final class JdbiDialpadWebhookStore implements DialpadWebhookStore {
    private static final String COLUMNS = "id, app_id, dialpad_webhook_id, hook_url, subscription_ids, created_at";

    private final Jdbi jdbi;
    private final SecretCipher cipher;
    private final Clock clock;

    private JdbiDialpadWebhookStore(Jdbi jdbi, SecretCipher cipher, Clock clock) {
        this.jdbi = jdbi;
        this.cipher = cipher;
        this.clock = clock;
    }

    /** A store on {@code database} sealing secrets with {@code cipher}. */
    public static JdbiDialpadWebhookStore create(Database database, SecretCipher cipher, Clock clock) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(cipher, "cipher");
        Objects.requireNonNull(clock, "clock");
        return new JdbiDialpadWebhookStore(database.jdbi(), cipher, clock);
    }

    static String associatedData(UUID appId, String dialpadWebhookId) {
        return "dialpad-webhook:" + appId + ":" + dialpadWebhookId;
    }

    @Override
    public DialpadWebhook save(NewDialpadWebhook webhook) {
        Objects.requireNonNull(webhook, "webhook");
        Sealed sealed = cipher.sealString(webhook.secret().value(),
                associatedData(webhook.appId(), webhook.dialpadWebhookId()));
        var now = Sql.at(clock.instant());
        return PersistenceErrors.call("save a Dialpad webhook", () -> jdbi.withHandle(handle -> handle
                .createQuery("INSERT INTO dialpad_webhooks (id, app_id, dialpad_webhook_id, hook_url, secret_ciphertext, "
                        + "secret_key_id, subscription_ids, created_at, updated_at) VALUES (:id, :app, :dp, :url, "
                        + ":secret, :key, :subs, :now, :now) ON CONFLICT (app_id, dialpad_webhook_id) DO UPDATE SET "
                        + "hook_url = EXCLUDED.hook_url, secret_ciphertext = EXCLUDED.secret_ciphertext, "
                        + "secret_key_id = EXCLUDED.secret_key_id, subscription_ids = EXCLUDED.subscription_ids, "
                        + "updated_at = EXCLUDED.updated_at RETURNING " + COLUMNS)
                .bind("id", UUID.randomUUID())
                .bind("app", webhook.appId())
                .bind("dp", webhook.dialpadWebhookId())
                .bind("url", webhook.hookUrl())
                .bind("secret", sealed.ciphertext())
                .bind("key", sealed.keyId())
                .bindArray("subs", String.class, webhook.subscriptionIds())
                .bind("now", now)
                .map(JdbiDialpadWebhookStore::row)
                .one()));
    }

    @Override
    public Optional<DialpadWebhook> find(UUID id) {
        Objects.requireNonNull(id, "id");
        return PersistenceErrors.call("read a Dialpad webhook", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM dialpad_webhooks WHERE id = :id")
                .bind("id", id)
                .map(JdbiDialpadWebhookStore::row)
                .findOne()));
    }

    @Override
    public List<DialpadWebhook> list(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        return PersistenceErrors.call("list Dialpad webhooks", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT " + COLUMNS + " FROM dialpad_webhooks WHERE app_id = :app ORDER BY created_at, id")
                .bind("app", appId)
                .map(JdbiDialpadWebhookStore::row)
                .list()));
    }

    @Override
    public List<DialpadWebhookSecret> secrets(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        List<Row> rows = PersistenceErrors.call("read Dialpad webhook secrets", () -> jdbi.withHandle(handle -> handle
                .createQuery("SELECT dialpad_webhook_id, secret_key_id, secret_ciphertext, previous_secret_key_id, "
                        + "previous_secret_ciphertext, previous_secret_expires_at FROM dialpad_webhooks "
                        + "WHERE app_id = :app ORDER BY created_at DESC, id")
                .bind("app", appId)
                .map((rs, ctx) -> new Row(rs.getString("dialpad_webhook_id"),
                        new Sealed(rs.getString("secret_key_id"), rs.getBytes("secret_ciphertext")),
                        rs.getString("previous_secret_key_id") == null ? Optional.empty()
                                : Optional.of(new Sealed(rs.getString("previous_secret_key_id"),
                                        rs.getBytes("previous_secret_ciphertext"))),
                        Sql.optionalInstant(rs, "previous_secret_expires_at")))
                .list()));
        Instant now = clock.instant();
        List<DialpadWebhookSecret> secrets = new ArrayList<>();
        boolean expired = false;
        for (Row row : rows) {
            String associatedData = associatedData(appId, row.dialpadWebhookId());
            secrets.add(new DialpadWebhookSecret(cipher.openString(row.sealed(), associatedData)));
            if (row.previous().isPresent() && row.previousUntil().isPresent()) {
                if (now.isBefore(row.previousUntil().get())) {
                    secrets.add(new DialpadWebhookSecret(cipher.openString(row.previous().get(), associatedData),
                            row.previousUntil()));
                } else {
                    expired = true;
                }
            }
        }
        if (expired) {
            clearExpiredPrevious(appId, now);
        }
        return List.copyOf(secrets);
    }

    /** Forgets the previous secrets of the app whose overlap ended; they are never accepted again anyway. */
    private void clearExpiredPrevious(UUID appId, Instant now) {
        PersistenceErrors.call("forget expired Dialpad webhook secrets", () -> jdbi.withHandle(handle -> handle
                .createUpdate("UPDATE dialpad_webhooks SET previous_secret_ciphertext = NULL, "
                        + "previous_secret_key_id = NULL, previous_secret_expires_at = NULL "
                        + "WHERE app_id = :app AND previous_secret_expires_at <= :now")
                .bind("app", appId)
                .bind("now", Sql.at(now))
                .execute()));
    }

    @Override
    public boolean rotateSecret(UUID appId, UUID id, DialpadWebhookSecret secret, Instant previousAcceptedUntil) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(previousAcceptedUntil, "previousAcceptedUntil");
        return PersistenceErrors.call("rotate a Dialpad webhook secret", () -> jdbi.inTransaction(handle -> {
            Optional<String> dialpadWebhookId = handle
                    .createQuery("SELECT dialpad_webhook_id FROM dialpad_webhooks WHERE app_id = :app AND id = :id "
                            + "FOR UPDATE")
                    .bind("app", appId)
                    .bind("id", id)
                    .mapTo(String.class)
                    .findOne();
            if (dialpadWebhookId.isEmpty()) {
                return false;
            }
            Sealed sealed = cipher.sealString(secret.value(), associatedData(appId, dialpadWebhookId.get()));
            // the right-hand sides read the row as it was: the current secret becomes the previous one
            return handle.createUpdate("UPDATE dialpad_webhooks SET previous_secret_ciphertext = secret_ciphertext, "
                            + "previous_secret_key_id = secret_key_id, previous_secret_expires_at = :until, "
                            + "secret_ciphertext = :secret, secret_key_id = :key, updated_at = :now "
                            + "WHERE app_id = :app AND id = :id")
                    .bind("app", appId)
                    .bind("id", id)
                    .bind("until", Sql.at(previousAcceptedUntil))
                    .bind("secret", sealed.ciphertext())
                    .bind("key", sealed.keyId())
                    .bind("now", Sql.at(clock.instant()))
                    .execute() == 1;
        }));
    }

    private record Row(String dialpadWebhookId, Sealed sealed, Optional<Sealed> previous,
                       Optional<Instant> previousUntil) {
    }

    @Override
    public boolean setSubscriptions(UUID appId, UUID id, List<String> subscriptionIds) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(id, "id");
        List<String> ids = List.copyOf(subscriptionIds);
        return PersistenceErrors.call("update Dialpad webhook subscriptions", () -> jdbi.withHandle(handle -> handle
                .createUpdate("UPDATE dialpad_webhooks SET subscription_ids = :subs, updated_at = :now "
                        + "WHERE app_id = :app AND id = :id")
                .bind("app", appId)
                .bind("id", id)
                .bindArray("subs", String.class, ids)
                .bind("now", Sql.at(clock.instant()))
                .execute() == 1));
    }

    @Override
    public boolean delete(UUID appId, UUID id) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(id, "id");
        return PersistenceErrors.call("delete a Dialpad webhook", () -> jdbi.withHandle(handle -> handle
                .createUpdate("DELETE FROM dialpad_webhooks WHERE app_id = :app AND id = :id")
                .bind("app", appId)
                .bind("id", id)
                .execute() == 1));
    }

    private static DialpadWebhook row(ResultSet rs, StatementContext ctx) throws SQLException {
        return new DialpadWebhook(Sql.uuid(rs, "id"), Sql.uuid(rs, "app_id"), rs.getString("dialpad_webhook_id"),
                rs.getString("hook_url"), Sql.textArray(rs, "subscription_ids"), Sql.instant(rs, "created_at"));
    }
}
