package dev.switchboard.testkit.dialpad;

/**
 * The endpoints of {@link FakeDialpad}, as targets for fault injection and latency. Each covers its path and every
 * path below it ({@code /api/v2/webhooks/42} belongs to {@link #WEBHOOKS}); {@link #ALL} covers every request.
 */
public enum DialpadEndpoint {
    /** Every request, whatever its path. */
    ALL(""),
    /** {@code GET /oauth2/authorize}. */
    AUTHORIZE("/oauth2/authorize"),
    /** {@code POST /oauth2/token}, both grants. */
    TOKEN("/oauth2/token"),
    /** {@code POST /oauth2/deauthorize}. */
    DEAUTHORIZE("/oauth2/deauthorize"),
    /** {@code GET /api/v2/company}. */
    COMPANY("/api/v2/company"),
    /** {@code /api/v2/webhooks} and {@code /api/v2/webhooks/{id}}. */
    WEBHOOKS("/api/v2/webhooks"),
    /** {@code /api/v2/subscriptions/call} and {@code /api/v2/subscriptions/call/{id}}. */
    CALL_SUBSCRIPTIONS("/api/v2/subscriptions/call"),
    /** {@code /api/v2/subscriptions/sms} and {@code /api/v2/subscriptions/sms/{id}}. */
    SMS_SUBSCRIPTIONS("/api/v2/subscriptions/sms");

    private final String path;

    DialpadEndpoint(String path) {
        this.path = path;
    }

    /** The path this endpoint answers on, relative to {@link FakeDialpad#baseUrl()}; empty for {@link #ALL}. */
    public String path() {
        return path;
    }

    /** Whether a request to {@code requestPath} belongs to this endpoint. */
    public boolean covers(String requestPath) {
        return this == ALL || requestPath.equals(path) || requestPath.startsWith(path + "/");
    }
}
