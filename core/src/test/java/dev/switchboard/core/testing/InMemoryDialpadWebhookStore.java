package dev.switchboard.core.testing;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.webhook.DialpadWebhook;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import dev.switchboard.core.webhook.DialpadWebhookStore;
import dev.switchboard.core.webhook.NewDialpadWebhook;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The Dialpad webhooks of apps in memory, with their secrets, as {@link DialpadWebhookStore} promises; saves can be
 * made to fail as a database outage would. Thread-safe (every method is synchronized).
 */
public final class InMemoryDialpadWebhookStore implements DialpadWebhookStore {
    private final Map<UUID, DialpadWebhook> webhooks = new LinkedHashMap<>();
    private final Map<UUID, DialpadWebhookSecret> secrets = new LinkedHashMap<>();
    private final Map<UUID, DialpadWebhookSecret> previousSecrets = new LinkedHashMap<>();
    private final Clock clock;
    private DialpadWebhookSecret lastSecret;
    private boolean failSaves;

    /** An empty store stamping saved webhooks with {@code clock}. */
    public InMemoryDialpadWebhookStore(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** From now on every save fails with {@link StoreUnavailableException}, or none does. */
    public synchronized void failSaves(boolean fail) {
        this.failSaves = fail;
    }

    /** Every webhook stored now, by id. */
    public synchronized Map<UUID, DialpadWebhook> webhooks() {
        return Map.copyOf(webhooks);
    }

    /** The secret of the last webhook saved, if any. */
    public synchronized Optional<DialpadWebhookSecret> lastSecret() {
        return Optional.ofNullable(lastSecret);
    }

    @Override
    public synchronized DialpadWebhook save(NewDialpadWebhook webhook) {
        if (failSaves) {
            throw new StoreUnavailableException("store down", new IllegalStateException());
        }
        DialpadWebhook stored = new DialpadWebhook(UUID.randomUUID(), webhook.appId(), webhook.dialpadWebhookId(),
                webhook.hookUrl(), webhook.subscriptionIds(), clock.instant());
        webhooks.put(stored.id(), stored);
        secrets.put(stored.id(), webhook.secret());
        lastSecret = webhook.secret();
        return stored;
    }

    @Override
    public synchronized Optional<DialpadWebhook> find(UUID id) {
        return Optional.ofNullable(webhooks.get(id));
    }

    @Override
    public synchronized List<DialpadWebhook> list(UUID appId) {
        return webhooks.values().stream().filter(webhook -> webhook.appId().equals(appId)).toList();
    }

    @Override
    public synchronized List<DialpadWebhookSecret> secrets(UUID appId) {
        return webhooks.values().stream().filter(webhook -> webhook.appId().equals(appId))
                .flatMap(webhook -> java.util.stream.Stream.of(secrets.get(webhook.id()),
                        previousSecrets.get(webhook.id())))
                .filter(Objects::nonNull).toList();
    }

    @Override
    public synchronized boolean rotateSecret(UUID appId, UUID id, DialpadWebhookSecret secret,
                                             java.time.Instant previousAcceptedUntil) {
        DialpadWebhook webhook = webhooks.get(id);
        if (webhook == null || !webhook.appId().equals(appId)) {
            return false;
        }
        if (failSaves) {
            throw new StoreUnavailableException("store down", new IllegalStateException());
        }
        DialpadWebhookSecret previous = secrets.put(id, new DialpadWebhookSecret(secret.value()));
        previousSecrets.put(id, new DialpadWebhookSecret(previous.value(), Optional.of(previousAcceptedUntil)));
        lastSecret = secret;
        return true;
    }

    @Override
    public synchronized boolean setSubscriptions(UUID appId, UUID id, List<String> subscriptionIds) {
        DialpadWebhook webhook = webhooks.get(id);
        if (webhook == null || !webhook.appId().equals(appId)) {
            return false;
        }
        webhooks.put(id, new DialpadWebhook(id, appId, webhook.dialpadWebhookId(), webhook.hookUrl(),
                List.copyOf(subscriptionIds), webhook.createdAt()));
        return true;
    }

    @Override
    public synchronized boolean delete(UUID appId, UUID id) {
        DialpadWebhook webhook = webhooks.get(id);
        if (webhook == null || !webhook.appId().equals(appId)) {
            return false;
        }
        webhooks.remove(id);
        secrets.remove(id);
        previousSecrets.remove(id);
        return true;
    }
}
