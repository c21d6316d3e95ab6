package dev.switchboard.core.webhook;

import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.ConnectionLookup;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates the secret of an app's Dialpad webhook without losing a delivery: a fresh secret of 256 random bits
 * (base64url) is set at Dialpad first ({@link DialpadWebhookAdmin#updateWebhookSecret}, through the app's own
 * connection); only once Dialpad accepted it is it stored as the webhook's secret, the one it replaces kept as the
 * previous secret for {@link #OVERLAP}, so that deliveries Dialpad signed before the switch (retries included) still
 * verify. After the overlap the previous secret is refused ({@link DialpadWebhookSecret#acceptedAt}) and the next
 * rotation overwrites it. When Dialpad fails, nothing changes here and the current secret alone stays valid.
 *
 * <p>If storing fails after Dialpad accepted the new secret, Dialpad signs with a secret this server does not know
 * until the rotation is repeated; the {@link dev.switchboard.core.StoreUnavailableException} goes on so the caller
 * answers 503 and the operator retries. Audited as {@code webhook_secret_rotated} without any secret. Thread-safe.
 */
public final class WebhookSecretRotator {
    /** How long the secret a rotation replaces stays accepted. */
    public static final Duration OVERLAP = Duration.ofHours(24);

    private static final Logger LOG = LoggerFactory.getLogger(WebhookSecretRotator.class);
    private static final String ACTOR = "internal_api";
    private static final int SECRET_BYTES = 32;

    private final ConnectionLookup connections;
    private final DialpadWebhookAdmin dialpad;
    private final DialpadWebhookStore webhooks;
    private final AuditLog audit;
    private final SecureRandom random;
    private final Clock clock;

    private WebhookSecretRotator(ConnectionLookup connections, DialpadWebhookAdmin dialpad,
                                 DialpadWebhookStore webhooks, AuditLog audit, SecureRandom random, Clock clock) {
        this.connections = connections;
        this.dialpad = dialpad;
        this.webhooks = webhooks;
        this.audit = audit;
        this.random = random;
        this.clock = clock;
    }

    /** The service; {@code webhooks} should tell this instance's secret cache of its writes. */
    public static WebhookSecretRotator create(ConnectionLookup connections, DialpadWebhookAdmin dialpad,
                                              DialpadWebhookStore webhooks, AuditLog audit, SecureRandom random,
                                              Clock clock) {
        return new WebhookSecretRotator(Objects.requireNonNull(connections, "connections"),
                Objects.requireNonNull(dialpad, "dialpad"), Objects.requireNonNull(webhooks, "webhooks"),
                Objects.requireNonNull(audit, "audit"), Objects.requireNonNull(random, "random"),
                Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Rotates the secret of the webhook with Switchboard's id {@code id}; see the class comment.
     *
     * @param clientIp the requester's address, for the audit trail
     * @throws dev.switchboard.core.StoreUnavailableException when a store fails
     */
    public SecretRotation rotate(UUID id, Optional<String> clientIp) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(clientIp, "clientIp");
        Optional<DialpadWebhook> found = webhooks.find(id);
        if (found.isEmpty()) {
            return new SecretRotation.NotFound();
        }
        DialpadWebhook webhook = found.get();
        Optional<String> token = connections.find(webhook.appId())
                .filter(connection -> !connection.health().needsReconnect()).map(Connection::accessToken);
        if (token.isEmpty()) {
            return new SecretRotation.NotConnected(webhook);
        }
        DialpadWebhookSecret secret = newSecret();
        DialpadWebhookAdmin.Update update = dialpad.updateWebhookSecret(token.get(), webhook.dialpadWebhookId(),
                URI.create(webhook.hookUrl()), secret);
        if (!(update instanceof DialpadWebhookAdmin.Updated)) {
            DialpadFailure failure = update instanceof DialpadWebhookAdmin.NotFound
                    ? new DialpadFailure(OptionalInt.of(404), "Dialpad has no such webhook")
                    : DialpadFailure.of(update);
            LOG.warn("Dialpad did not take the new secret of webhook {} (app {}): {}", webhook.dialpadWebhookId(),
                    webhook.appId(), failure.description());
            return new SecretRotation.DialpadFailed(webhook, failure);
        }
        Instant now = clock.instant();
        Instant previousExpiresAt = now.plus(OVERLAP);
        if (!webhooks.rotateSecret(webhook.appId(), webhook.id(), secret, previousExpiresAt)) {
            // deleted between the lookup and now: there is nothing left to sign for
            return new SecretRotation.NotFound();
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("webhook_id", webhook.id().toString());
        details.put("dialpad_webhook_id", webhook.dialpadWebhookId());
        details.put("previous_secret_expires_at", previousExpiresAt.toString());
        audit.record(new AuditEvent(now, AuditEventType.WEBHOOK_SECRET_ROTATED, Optional.of(webhook.appId()), ACTOR,
                clientIp, details));
        LOG.info("rotated the secret of Dialpad webhook {} of app {}", webhook.dialpadWebhookId(), webhook.appId());
        return new SecretRotation.Rotated(webhook, previousExpiresAt);
    }

    private DialpadWebhookSecret newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        return new DialpadWebhookSecret(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }
}
