package dev.switchboard.core.webhook;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A webhook Switchboard created at Dialpad for one app, and the subscriptions that make it deliver. Its secret is
 * deliberately not part of this value: read it with {@link DialpadWebhookStore#secrets(UUID)} where a signature is
 * checked, nowhere else.
 *
 * @param dialpadWebhookId Dialpad's id of the webhook
 * @param subscriptionIds  Dialpad's ids of the call and SMS subscriptions pointing at it
 */
public record DialpadWebhook(UUID id, UUID appId, String dialpadWebhookId, String hookUrl,
                             List<String> subscriptionIds, Instant createdAt) {
    public DialpadWebhook {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(dialpadWebhookId, "dialpadWebhookId");
        Objects.requireNonNull(hookUrl, "hookUrl");
        Objects.requireNonNull(createdAt, "createdAt");
        subscriptionIds = List.copyOf(subscriptionIds);
    }
}
