package dev.switchboard.core.webhook;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The Dialpad webhooks of each app. Secrets are encrypted at rest (AES-256-GCM through
 * {@link dev.switchboard.core.secrets.SecretCipher}, bound to the row), so the database never holds one in
 * clear. Thread-safe; throws {@link dev.switchboard.core.StoreUnavailableException} when the backing store fails.
 */
public interface DialpadWebhookStore {
    /**
     * Remembers a webhook. Saving again the app's webhook with the same Dialpad id replaces its URL, secret and
     * subscriptions and keeps its id and creation time.
     */
    DialpadWebhook save(NewDialpadWebhook webhook);

    /**
     * The webhook with Switchboard's id {@code id}, whatever its app. Only for the administrative API, whose paths
     * carry no app id; everything an app can reach uses {@link #list(UUID)}.
     */
    Optional<DialpadWebhook> find(UUID id);

    /** The app's webhooks, oldest first. */
    List<DialpadWebhook> list(UUID appId);

    /**
     * The secrets of all the app's webhooks, newest first, to check a delivery on the app's path against each (an
     * app may have two webhooks while one replaces the other): each webhook's current secret, then its previous
     * secret when a rotation left one, with {@link DialpadWebhookSecret#acceptedUntil()} set (the caller ignores it
     * once that time passed). Empty when the app has none.
     */
    List<DialpadWebhookSecret> secrets(UUID appId);

    /**
     * Gives the app's webhook {@code secret} as its current secret and keeps the one it replaces as the previous
     * secret, accepted until {@code previousAcceptedUntil} (a previous secret of an earlier rotation is forgotten);
     * both stay encrypted at rest. {@link #secrets(UUID)} then returns the previous secret too, with its end, until
     * it is cleared. False when the app has no such webhook.
     */
    boolean rotateSecret(UUID appId, UUID id, DialpadWebhookSecret secret, Instant previousAcceptedUntil);

    /** Replaces the subscription ids of the app's webhook; false when the app has no such webhook. */
    boolean setSubscriptions(UUID appId, UUID id, List<String> subscriptionIds);

    /** Forgets the app's webhook (its secret with it); false when the app has no such webhook. */
    boolean delete(UUID appId, UUID id);
}
