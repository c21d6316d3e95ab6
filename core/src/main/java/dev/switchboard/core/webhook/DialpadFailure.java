package dev.switchboard.core.webhook;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * Why a Dialpad call failed, in Switchboard's words: Dialpad's status when it answered with a refusal (a 4xx), and a
 * sentence written by the adapter. Never Dialpad's raw body, a token or a secret.
 *
 * @param status      Dialpad's 4xx status, empty when Dialpad could not be reached or answered unusably
 * @param description the adapter's sentence
 */
public record DialpadFailure(OptionalInt status, String description) {
    public DialpadFailure {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(description, "description");
    }

    /** The failure a refusal or an unavailability of {@link DialpadWebhookAdmin} stands for. */
    static DialpadFailure of(Object answer) {
        if (answer instanceof DialpadWebhookAdmin.Refused refused) {
            return new DialpadFailure(OptionalInt.of(refused.status()), refused.description());
        }
        if (answer instanceof DialpadWebhookAdmin.Unavailable unavailable) {
            return new DialpadFailure(OptionalInt.empty(), unavailable.reason());
        }
        throw new IllegalArgumentException("not a failure: " + answer.getClass().getSimpleName());
    }
}
