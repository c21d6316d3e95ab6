package dev.switchboard.testkit.dialpad;

import java.util.Objects;

/** The answer a webhook receiver gave to one delivery by {@link WebhookSender}: HTTP status and body text. */
public record Delivery(int status, String body) {
    public Delivery {
        Objects.requireNonNull(body, "body");
    }

    /** Whether Dialpad would count this delivery as a success (any 2xx, DIALPAD.md). */
    public boolean succeeded() {
        return status >= 200 && status < 300;
    }
}
