package dev.switchboard.core.audit;

import java.util.Locale;

/** Every kind of audit event Switchboard writes. The {@link #code()} is what the log and the export show. */
public enum AuditEventType {
    APP_CREATED,
    APP_UPDATED,
    API_KEY_CREATED,
    API_KEY_ROTATED,
    API_KEY_REVOKED,
    CONNECT_LINK_CREATED,
    OAUTH_INITIATED,
    OAUTH_STATE_MISMATCH,
    OAUTH_EXCHANGED,
    OAUTH_EXCHANGE_FAILED,
    OAUTH_REFRESHED,
    OAUTH_REFRESH_FAILED,
    OAUTH_NEEDS_RECONNECT,
    OAUTH_DEAUTHORIZED,
    /** A Dialpad organisation became connected to more than one app (one event per app concerned). */
    ORGANISATION_SHARED,
    WEBHOOK_REJECTED,
    WEBHOOK_CREATED,
    WEBHOOK_DELETED,
    /** An app's Dialpad webhook got a new secret; the previous one stays accepted for an overlap. */
    WEBHOOK_SECRET_ROTATED,
    USER_MAPPING_CHANGED;

    /** The snake_case name, e.g. {@code oauth_exchanged}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
