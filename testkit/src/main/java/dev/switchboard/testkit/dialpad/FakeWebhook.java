package dev.switchboard.testkit.dialpad;

import java.util.Objects;
import java.util.Optional;

/**
 * A webhook endpoint created at {@link FakeDialpad} through {@code POST /api/v2/webhooks}, in the organisation of
 * the token that created it. {@code secret} is null for a webhook without one (Dialpad then sends plain JSON).
 *
 * <p>{@link #toString()} never shows the secret.
 */
public record FakeWebhook(long id, long organisationId, String hookUrl, String secret) {
    public FakeWebhook {
        Objects.requireNonNull(hookUrl, "hookUrl");
    }

    /** The signing secret, if the webhook has one. */
    public Optional<String> signingSecret() {
        return Optional.ofNullable(secret);
    }

    @Override
    public String toString() {
        return "FakeWebhook[id=" + id + ", organisationId=" + organisationId + ", hookUrl=" + hookUrl
                + ", secret=" + (secret == null ? "none" : "<redacted>") + "]";
    }
}
