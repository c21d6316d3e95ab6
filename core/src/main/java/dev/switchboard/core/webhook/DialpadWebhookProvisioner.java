package dev.switchboard.core.webhook;

import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppStore;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.ConnectionLookup;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and deletes an app's Dialpad webhook through the app's own connection, with the call and SMS subscriptions
 * that make Dialpad deliver to it (a webhook alone delivers nothing), and remembers it in the
 * {@link DialpadWebhookStore} with its secret sealed.
 *
 * <p>Creating: the app must exist, be active and have a connection that does not need a reconnect. A fresh secret of
 * 256 random bits (base64url) is generated per webhook; the webhook is created at
 * {@code $PUBLIC_BASE_URL/webhooks/dialpad/{app_id}} with it, then a call subscription for {@link #CALL_STATES} and an
 * SMS subscription (both directions) pointing at it by {@code endpoint_id}. When a step fails, what the earlier steps
 * created at Dialpad is deleted again (best effort) and nothing is stored. When storing fails after Dialpad succeeded,
 * the Dialpad side is cleaned up the same way and the {@link dev.switchboard.core.StoreUnavailableException} goes on.
 *
 * <p>Deleting: the subscriptions, then the webhook, at Dialpad (a 404 there counts as already gone), then here. Any
 * other Dialpad failure leaves the webhook remembered here, so that deleting again retries.
 *
 * <p>Subscription ids are remembered as {@code call:<id>} and {@code sms:<id>} so that deletion knows which Dialpad
 * endpoint each belongs to. Audited: {@code webhook_created}, {@code webhook_deleted}. The secret is never returned,
 * logged or audited. Thread-safe.
 */
public final class DialpadWebhookProvisioner {
    /**
     * The call states subscribed to: every state that changes a call's status, its recording or voicemail, or brings
     * a transcription. Survey-like and AI states are left out: nothing here uses them.
     */
    public static final List<String> CALL_STATES = List.of("calling", "ringing", "preanswer", "queued", "connected",
            "hold", "merged", "parked", "transcription", "call_transcription", "recording", "admin_recording",
            "voicemail", "voicemail_uploaded", "missed", "hangup", "postcall", "blocked");

    private static final Logger LOG = LoggerFactory.getLogger(DialpadWebhookProvisioner.class);
    private static final String ACTOR = "internal_api";
    private static final String CALL_PREFIX = "call:";
    private static final String SMS_PREFIX = "sms:";
    private static final int SECRET_BYTES = 32;

    private final AppStore apps;
    private final ConnectionLookup connections;
    private final DialpadWebhookAdmin dialpad;
    private final DialpadWebhookStore webhooks;
    private final AuditLog audit;
    private final String publicBaseUrl;
    private final SecureRandom random;
    private final Clock clock;

    private DialpadWebhookProvisioner(AppStore apps, ConnectionLookup connections, DialpadWebhookAdmin dialpad,
                                      DialpadWebhookStore webhooks, AuditLog audit, String publicBaseUrl,
                                      SecureRandom random, Clock clock) {
        this.apps = apps;
        this.connections = connections;
        this.dialpad = dialpad;
        this.webhooks = webhooks;
        this.audit = audit;
        this.publicBaseUrl = publicBaseUrl;
        this.random = random;
        this.clock = clock;
    }

    /** The service; {@code publicBaseUrl} ({@code PUBLIC_BASE_URL}) is how Dialpad reaches this server. */
    public static DialpadWebhookProvisioner create(AppStore apps, ConnectionLookup connections,
                                                   DialpadWebhookAdmin dialpad, DialpadWebhookStore webhooks,
                                                   AuditLog audit, URI publicBaseUrl, SecureRandom random,
                                                   Clock clock) {
        Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
        String base = publicBaseUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return new DialpadWebhookProvisioner(Objects.requireNonNull(apps, "apps"),
                Objects.requireNonNull(connections, "connections"), Objects.requireNonNull(dialpad, "dialpad"),
                Objects.requireNonNull(webhooks, "webhooks"), Objects.requireNonNull(audit, "audit"), base,
                Objects.requireNonNull(random, "random"), Objects.requireNonNull(clock, "clock"));
    }

    /** Where Dialpad delivers the events of {@code appId}. */
    public URI hookUrl(UUID appId) {
        return URI.create(publicBaseUrl + "/webhooks/dialpad/" + Objects.requireNonNull(appId, "appId"));
    }

    /**
     * Creates the app's webhook and its two subscriptions at Dialpad and remembers them; see the class comment.
     *
     * @param clientIp the requester's address, for the audit trail
     * @throws dev.switchboard.core.StoreUnavailableException when a store fails (Dialpad is cleaned up first when it
     *                                                        had been reached)
     */
    public WebhookCreation create(UUID appId, Optional<String> clientIp) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(clientIp, "clientIp");
        Optional<App> app = apps.find(appId);
        if (app.isEmpty()) {
            return new WebhookCreation.AppNotFound();
        }
        if (!app.get().active()) {
            return new WebhookCreation.AppInactive();
        }
        Optional<String> token = usableToken(appId);
        if (token.isEmpty()) {
            return new WebhookCreation.NotConnected();
        }
        String accessToken = token.get();
        URI hookUrl = hookUrl(appId);
        DialpadWebhookSecret secret = newSecret();

        DialpadWebhookAdmin.Creation webhook = dialpad.createWebhook(accessToken, hookUrl, secret);
        if (!(webhook instanceof DialpadWebhookAdmin.Created createdWebhook)) {
            return failed(appId, DialpadStep.WEBHOOK, webhook);
        }
        String webhookId = createdWebhook.id();
        DialpadWebhookAdmin.Creation call = dialpad.createCallSubscription(accessToken, webhookId, CALL_STATES);
        if (!(call instanceof DialpadWebhookAdmin.Created callSubscription)) {
            undo(appId, accessToken, webhookId, Optional.empty(), Optional.empty());
            return failed(appId, DialpadStep.CALL_SUBSCRIPTION, call);
        }
        DialpadWebhookAdmin.Creation sms = dialpad.createSmsSubscription(accessToken, webhookId);
        if (!(sms instanceof DialpadWebhookAdmin.Created smsSubscription)) {
            undo(appId, accessToken, webhookId, Optional.of(callSubscription.id()), Optional.empty());
            return failed(appId, DialpadStep.SMS_SUBSCRIPTION, sms);
        }

        DialpadWebhook stored;
        try {
            stored = webhooks.save(new NewDialpadWebhook(appId, webhookId, hookUrl.toString(), secret,
                    List.of(CALL_PREFIX + callSubscription.id(), SMS_PREFIX + smsSubscription.id())));
        } catch (RuntimeException e) {
            undo(appId, accessToken, webhookId, Optional.of(callSubscription.id()),
                    Optional.of(smsSubscription.id()));
            throw e;
        }
        Map<String, String> details = new LinkedHashMap<>();
        details.put("webhook_id", stored.id().toString());
        details.put("dialpad_webhook_id", webhookId);
        details.put("hook_url", stored.hookUrl());
        details.put("call_subscription_id", callSubscription.id());
        details.put("sms_subscription_id", smsSubscription.id());
        audit.record(new AuditEvent(clock.instant(), AuditEventType.WEBHOOK_CREATED, Optional.of(appId), ACTOR,
                clientIp, details));
        LOG.info("created Dialpad webhook {} for app {}", webhookId, appId);
        return new WebhookCreation.Created(stored, callSubscription.id(), smsSubscription.id());
    }

    /**
     * Deletes the webhook with Switchboard's id {@code id} at Dialpad and here; see the class comment.
     *
     * @throws dev.switchboard.core.StoreUnavailableException when a store fails
     */
    public WebhookRemoval remove(UUID id, Optional<String> clientIp) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(clientIp, "clientIp");
        Optional<DialpadWebhook> found = webhooks.find(id);
        if (found.isEmpty()) {
            return new WebhookRemoval.NotFound();
        }
        DialpadWebhook webhook = found.get();
        Optional<String> token = usableToken(webhook.appId());
        if (token.isEmpty()) {
            return new WebhookRemoval.NotConnected(webhook);
        }
        String accessToken = token.get();
        for (String subscription : webhook.subscriptionIds()) {
            DialpadStep step;
            DialpadWebhookAdmin.Removal removal;
            if (subscription.startsWith(SMS_PREFIX)) {
                step = DialpadStep.SMS_SUBSCRIPTION;
                removal = dialpad.deleteSmsSubscription(accessToken, subscription.substring(SMS_PREFIX.length()));
            } else {
                step = DialpadStep.CALL_SUBSCRIPTION;
                removal = dialpad.deleteCallSubscription(accessToken, subscription.startsWith(CALL_PREFIX)
                        ? subscription.substring(CALL_PREFIX.length()) : subscription);
            }
            if (!gone(removal)) {
                return removalFailed(webhook, step, removal);
            }
        }
        DialpadWebhookAdmin.Removal removal = dialpad.deleteWebhook(accessToken, webhook.dialpadWebhookId());
        if (!gone(removal)) {
            return removalFailed(webhook, DialpadStep.WEBHOOK, removal);
        }
        webhooks.delete(webhook.appId(), webhook.id());
        Map<String, String> details = new LinkedHashMap<>();
        details.put("webhook_id", webhook.id().toString());
        details.put("dialpad_webhook_id", webhook.dialpadWebhookId());
        audit.record(new AuditEvent(clock.instant(), AuditEventType.WEBHOOK_DELETED, Optional.of(webhook.appId()),
                ACTOR, clientIp, details));
        LOG.info("deleted Dialpad webhook {} of app {}", webhook.dialpadWebhookId(), webhook.appId());
        return new WebhookRemoval.Removed(webhook);
    }

    /** Dialpad's id of the webhook's call subscription, when it has one. */
    public static Optional<String> callSubscriptionId(DialpadWebhook webhook) {
        return subscription(webhook, CALL_PREFIX);
    }

    /** Dialpad's id of the webhook's SMS subscription, when it has one. */
    public static Optional<String> smsSubscriptionId(DialpadWebhook webhook) {
        return subscription(webhook, SMS_PREFIX);
    }

    private static Optional<String> subscription(DialpadWebhook webhook, String prefix) {
        return webhook.subscriptionIds().stream().filter(id -> id.startsWith(prefix))
                .map(id -> id.substring(prefix.length())).findFirst();
    }

    private Optional<String> usableToken(UUID appId) {
        return connections.find(appId).filter(connection -> !connection.health().needsReconnect())
                .map(Connection::accessToken);
    }

    private DialpadWebhookSecret newSecret() {
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        return new DialpadWebhookSecret(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    private static boolean gone(DialpadWebhookAdmin.Removal removal) {
        return removal instanceof DialpadWebhookAdmin.Removed || removal instanceof DialpadWebhookAdmin.NotFound;
    }

    /** Deletes, best effort, the subscriptions and the webhook an interrupted creation left at Dialpad. */
    private void undo(UUID appId, String accessToken, String webhookId, Optional<String> callSubscriptionId,
                      Optional<String> smsSubscriptionId) {
        List<String> leftovers = new ArrayList<>();
        smsSubscriptionId.ifPresent(subscription -> {
            if (!gone(dialpad.deleteSmsSubscription(accessToken, subscription))) {
                leftovers.add("SMS subscription " + subscription);
            }
        });
        callSubscriptionId.ifPresent(subscription -> {
            if (!gone(dialpad.deleteCallSubscription(accessToken, subscription))) {
                leftovers.add("call subscription " + subscription);
            }
        });
        if (!gone(dialpad.deleteWebhook(accessToken, webhookId))) {
            leftovers.add("webhook " + webhookId);
        }
        if (!leftovers.isEmpty()) {
            LOG.warn("could not delete at Dialpad, after a failed webhook creation for app {}: {}", appId, leftovers);
        }
    }

    private static WebhookCreation failed(UUID appId, DialpadStep step, DialpadWebhookAdmin.Creation answer) {
        DialpadFailure failure = DialpadFailure.of(answer);
        LOG.warn("Dialpad failed to create the {} for app {}: {}", step.code(), appId, failure.description());
        return new WebhookCreation.DialpadFailed(step, failure);
    }

    private static WebhookRemoval removalFailed(DialpadWebhook webhook, DialpadStep step,
                                                DialpadWebhookAdmin.Removal answer) {
        DialpadFailure failure = DialpadFailure.of(answer);
        LOG.warn("Dialpad failed to delete the {} of webhook {} (app {}): {}", step.code(),
                webhook.dialpadWebhookId(), webhook.appId(), failure.description());
        return new WebhookRemoval.DialpadFailed(webhook, step, failure);
    }
}
