package dev.switchboard.core.webhook;

import java.util.Locale;

/** The Dialpad calls that set up or tear down an app's webhook, named in failures. */
public enum DialpadStep {
    /** {@code POST} or {@code DELETE /api/v2/webhooks}. */
    WEBHOOK,
    /** {@code POST} or {@code DELETE /api/v2/subscriptions/call}. */
    CALL_SUBSCRIPTION,
    /** {@code POST} or {@code DELETE /api/v2/subscriptions/sms}. */
    SMS_SUBSCRIPTION;

    /** The snake_case name, e.g. {@code call_subscription}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
