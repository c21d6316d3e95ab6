package dev.switchboard.core.webhook;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** A webhook just created at Dialpad for {@code appId}, to remember. {@link #toString()} redacts the secret. */
public record NewDialpadWebhook(UUID appId, String dialpadWebhookId, String hookUrl, DialpadWebhookSecret secret,
                                List<String> subscriptionIds) {
    public NewDialpadWebhook {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(dialpadWebhookId, "dialpadWebhookId");
        Objects.requireNonNull(hookUrl, "hookUrl");
        Objects.requireNonNull(secret, "secret");
        subscriptionIds = List.copyOf(subscriptionIds);
        if (dialpadWebhookId.isBlank() || dialpadWebhookId.length() > 128) {
            throw new IllegalArgumentException("a Dialpad webhook id has 1 to 128 characters");
        }
        if (hookUrl.isBlank() || hookUrl.length() > 2048) {
            throw new IllegalArgumentException("a hook URL has 1 to 2048 characters");
        }
    }

    @Override
    public String toString() {
        return "NewDialpadWebhook[appId=" + appId + ", dialpadWebhookId=" + dialpadWebhookId + ", hookUrl=" + hookUrl
                + ", secret=redacted, subscriptionIds=" + subscriptionIds + "]";
    }
}
