package dev.switchboard.core.webhook;

import java.time.Instant;
import java.util.Objects;

/** Outcome of rotating the secret of an app's Dialpad webhook. Expected failures are values. */
public sealed interface SecretRotation {
    /**
     * Dialpad signs with the new secret from now on; the previous one is accepted until {@code previousSecretExpiresAt}.
     */
    record Rotated(DialpadWebhook webhook, Instant previousSecretExpiresAt) implements SecretRotation {
        public Rotated {
            Objects.requireNonNull(webhook, "webhook");
            Objects.requireNonNull(previousSecretExpiresAt, "previousSecretExpiresAt");
        }
    }

    /** Switchboard knows no webhook with this id. */
    record NotFound() implements SecretRotation {
    }

    /** The webhook's app has no usable Dialpad connection, so Dialpad cannot be told; nothing changed. */
    record NotConnected(DialpadWebhook webhook) implements SecretRotation {
        public NotConnected {
            Objects.requireNonNull(webhook, "webhook");
        }
    }

    /** Dialpad refused or failed the update (a 404 there included); nothing changed here. */
    record DialpadFailed(DialpadWebhook webhook, DialpadFailure failure) implements SecretRotation {
        public DialpadFailed {
            Objects.requireNonNull(webhook, "webhook");
            Objects.requireNonNull(failure, "failure");
        }
    }
}
