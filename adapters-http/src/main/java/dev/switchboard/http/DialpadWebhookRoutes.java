package dev.switchboard.http;

import dev.switchboard.core.apps.AppStore;
import dev.switchboard.core.webhook.DialpadFailure;
import dev.switchboard.core.webhook.DialpadWebhook;
import dev.switchboard.core.webhook.DialpadWebhookProvisioner;
import dev.switchboard.core.webhook.DialpadWebhookStore;
import dev.switchboard.core.webhook.SecretRotation;
import dev.switchboard.core.webhook.WebhookCreation;
import dev.switchboard.core.webhook.WebhookRemoval;
import dev.switchboard.core.webhook.WebhookSecretRotator;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Dialpad webhooks of the internal API, created and deleted through the app's own Dialpad connection,
 * behind the internal bearer check of {@code /internal/*}. No answer ever carries a webhook secret.
 *
 * <ul>
 *   <li>{@code POST /internal/webhooks/create?app_id=} (no body): 201 with the webhook. Creates at Dialpad the
 *       webhook at {@code $PUBLIC_BASE_URL/webhooks/dialpad/{app_id}} with a fresh secret, a call and an SMS
 *       subscription pointing at it. {@code app_id} missing or not a UUID 400 {@code invalid_app_id}; unknown app 404
 *       {@code app_not_found}; inactive app 403 {@code app_inactive}; not connected (or needing a reconnect) 409
 *       {@code not_connected}; Dialpad failed 502 {@code dialpad_error} (whatever was created at Dialpad deleted
 *       again, nothing stored).</li>
 *   <li>{@code GET /internal/webhooks?app_id=}: 200 {@code {"webhooks": […]}}, oldest first; 400 / 404 as above.</li>
 *   <li>{@code GET /internal/webhooks/{id}}: 200 the webhook; {@code id} not a UUID 400 {@code invalid_webhook_id};
 *       unknown 404 {@code webhook_not_found}.</li>
 *   <li>{@code DELETE /internal/webhooks/{id}}: deletes the subscriptions and the webhook at Dialpad (already gone
 *       there counts as deleted), then here; 200 {@code {"deleted": true, "id", "dialpad_webhook_id"}}. 400 / 404 as
 *       for GET; app not connected 409 {@code not_connected}; Dialpad failed 502 {@code dialpad_error}, and the
 *       webhook is kept here so that a retry can finish.</li>
 *   <li>{@code POST /internal/webhooks/{id}/rotate-secret} (no body): sets a fresh secret at Dialpad and, once
 *       Dialpad accepted it, keeps it here; the previous secret stays accepted for 24 hours. 200 the webhook plus
 *       {@code previous_secret_expires_at}. 400 / 404 as for GET; app not connected 409 {@code not_connected};
 *       Dialpad failed 502 {@code dialpad_error} and nothing changed (the current secret alone stays valid).</li>
 * </ul>
 * A webhook is {@code id}, {@code app_id}, {@code dialpad_webhook_id}, {@code hook_url},
 * {@code call_subscription_id}, {@code sms_subscription_id} and {@code created_at}. Thread-safe.
 */
public final class DialpadWebhookRoutes implements RouteGroup {
    private final AppStore apps;
    private final DialpadWebhookStore webhooks;
    private final DialpadWebhookProvisioner provisioner;
    private final WebhookSecretRotator rotator;

    private DialpadWebhookRoutes(AppStore apps, DialpadWebhookStore webhooks, DialpadWebhookProvisioner provisioner,
                                 WebhookSecretRotator rotator) {
        this.apps = apps;
        this.webhooks = webhooks;
        this.provisioner = provisioner;
        this.rotator = rotator;
    }

    /** The routes over these ports, the provisioning service and the secret rotation. */
    public static DialpadWebhookRoutes create(AppStore apps, DialpadWebhookStore webhooks,
                                              DialpadWebhookProvisioner provisioner, WebhookSecretRotator rotator) {
        return new DialpadWebhookRoutes(Objects.requireNonNull(apps, "apps"),
                Objects.requireNonNull(webhooks, "webhooks"), Objects.requireNonNull(provisioner, "provisioner"),
                Objects.requireNonNull(rotator, "rotator"));
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post("/internal/webhooks/create", this::create);
        routes.get("/internal/webhooks", this::list);
        routes.get("/internal/webhooks/{id}", this::show);
        routes.delete("/internal/webhooks/{id}", this::delete);
        routes.post("/internal/webhooks/{id}/rotate-secret", this::rotateSecret);
    }

    private void rotateSecret(Context ctx) {
        UUID id = Requests.uuidPath(ctx, "id", "invalid_webhook_id");
        SecretRotation rotation = rotator.rotate(id, Requests.clientIp(ctx));
        if (rotation instanceof SecretRotation.Rotated rotated) {
            Map<String, Object> answer = fields(rotated.webhook());
            answer.put("previous_secret_expires_at", rotated.previousSecretExpiresAt());
            ctx.json(answer);
        } else if (rotation instanceof SecretRotation.NotFound) {
            throw webhookNotFound();
        } else if (rotation instanceof SecretRotation.NotConnected) {
            throw notConnected();
        } else {
            if (!(rotation instanceof SecretRotation.DialpadFailed failed)) {
                throw new IllegalStateException("unexpected outcome " + rotation.getClass().getName());
            }
            throw dialpadError("Dialpad did not take the new webhook secret" + failed(failed.failure())
                    + "; nothing changed, the current secret stays valid.");
        }
    }

    private void create(Context ctx) {
        UUID appId = requiredAppId(ctx);
        WebhookCreation creation = provisioner.create(appId, Requests.clientIp(ctx));
        if (creation instanceof WebhookCreation.Created created) {
            ctx.status(201).json(fields(created.webhook()));
        } else if (creation instanceof WebhookCreation.AppNotFound) {
            throw Requests.appNotFound();
        } else if (creation instanceof WebhookCreation.AppInactive) {
            throw Problems.forbidden("app_inactive", "This app is inactive; activate it before creating a webhook.");
        } else if (creation instanceof WebhookCreation.NotConnected) {
            throw notConnected();
        } else {
            if (!(creation instanceof WebhookCreation.DialpadFailed failed)) {
                throw new IllegalStateException("unexpected outcome " + creation.getClass().getName());
            }
            throw dialpadError("Dialpad did not create the " + failed.step().code().replace('_', ' ')
                    + failed(failed.failure()) + "; nothing was kept.");
        }
    }

    private void list(Context ctx) {
        UUID appId = requiredAppId(ctx);
        apps.find(appId).orElseThrow(Requests::appNotFound);
        ctx.json(Map.of("webhooks", webhooks.list(appId).stream().map(DialpadWebhookRoutes::fields).toList()));
    }

    private void show(Context ctx) {
        UUID id = Requests.uuidPath(ctx, "id", "invalid_webhook_id");
        ctx.json(fields(webhooks.find(id).orElseThrow(DialpadWebhookRoutes::webhookNotFound)));
    }

    private void delete(Context ctx) {
        UUID id = Requests.uuidPath(ctx, "id", "invalid_webhook_id");
        WebhookRemoval removal = provisioner.remove(id, Requests.clientIp(ctx));
        if (removal instanceof WebhookRemoval.Removed removed) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("deleted", true);
            answer.put("id", removed.webhook().id());
            answer.put("dialpad_webhook_id", removed.webhook().dialpadWebhookId());
            ctx.json(answer);
        } else if (removal instanceof WebhookRemoval.NotFound) {
            throw webhookNotFound();
        } else if (removal instanceof WebhookRemoval.NotConnected) {
            throw notConnected();
        } else {
            if (!(removal instanceof WebhookRemoval.DialpadFailed failed)) {
                throw new IllegalStateException("unexpected outcome " + removal.getClass().getName());
            }
            throw dialpadError("Dialpad did not delete the " + failed.step().code().replace('_', ' ')
                    + failed(failed.failure()) + "; the webhook is kept here, retry the deletion.");
        }
    }

    private static UUID requiredAppId(Context ctx) {
        return Requests.uuidQuery(ctx, "app_id", "invalid_app_id")
                .orElseThrow(() -> Problems.badRequest("invalid_app_id", "app_id is required and must be a UUID."));
    }

    private static String failed(DialpadFailure failure) {
        return failure.status().isPresent() ? " (it answered " + failure.status().getAsInt() + ")"
                : " (it could not be reached or answered unusably)";
    }

    private static Problem dialpadError(String message) {
        return Problems.badGateway("dialpad_error", message);
    }

    private static Problem notConnected() {
        return Problems.conflict("not_connected",
                "This app has no working Dialpad connection; connect (or reconnect) it first.");
    }

    private static Problem webhookNotFound() {
        return Problems.notFound("webhook_not_found", "No Dialpad webhook has this id.");
    }

    private static Map<String, Object> fields(DialpadWebhook webhook) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", webhook.id());
        fields.put("app_id", webhook.appId());
        fields.put("dialpad_webhook_id", webhook.dialpadWebhookId());
        fields.put("hook_url", webhook.hookUrl());
        fields.put("call_subscription_id", DialpadWebhookProvisioner.callSubscriptionId(webhook).orElse(null));
        fields.put("sms_subscription_id", DialpadWebhookProvisioner.smsSubscriptionId(webhook).orElse(null));
        fields.put("created_at", webhook.createdAt());
        return fields;
    }
}
