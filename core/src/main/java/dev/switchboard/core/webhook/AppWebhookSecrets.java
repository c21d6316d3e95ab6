package dev.switchboard.core.webhook;

import dev.switchboard.core.apps.AppStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Where {@link WebhookIntake} finds the secrets a delivery on an app's own path may be signed with, and whether the
 * app exists at all. A port of its own so that an adapter can keep the answers in memory (a refused delivery then
 * costs no query); {@link #reading} asks the stores every time.
 *
 * <p>Usage: {@code WebhookIntake.create(verifier, sharedSecret, router, AppWebhookSecrets.reading(webhooks, apps),
 * events, clock)}. Implementations are thread-safe and throw {@link dev.switchboard.core.StoreUnavailableException}
 * when the stores cannot be read.
 */
@FunctionalInterface
public interface AppWebhookSecrets {
    /**
     * The secrets of every webhook of {@code appId}, newest first (an empty list when the app has none), or empty
     * when no app has this id.
     */
    Optional<List<DialpadWebhookSecret>> find(UUID appId);

    /** Reads {@code webhooks} on every call, and {@code apps} when the app has no webhook secret. */
    static AppWebhookSecrets reading(DialpadWebhookStore webhooks, AppStore apps) {
        Objects.requireNonNull(webhooks, "webhooks");
        Objects.requireNonNull(apps, "apps");
        return appId -> {
            List<DialpadWebhookSecret> secrets = webhooks.secrets(appId);
            if (!secrets.isEmpty()) {
                return Optional.of(secrets);
            }
            return apps.find(appId).map(app -> List.of());
        };
    }
}
