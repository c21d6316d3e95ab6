package dev.switchboard.dialpad;

/** Each kind of call Switchboard makes to Dialpad, named in log lines instead of URLs or bodies. */
enum DialpadCall {
    TOKEN_EXCHANGE("token exchange"),
    TOKEN_REFRESH("token refresh"),
    DEAUTHORIZE("deauthorize"),
    COMPANY("company lookup"),
    WEBHOOK_CREATE("webhook creation"),
    WEBHOOK_DELETE("webhook deletion"),
    WEBHOOK_UPDATE("webhook secret update"),
    WEBHOOK_LIST("webhook listing"),
    CALL_SUBSCRIPTION_CREATE("call subscription creation"),
    CALL_SUBSCRIPTION_DELETE("call subscription deletion"),
    SMS_SUBSCRIPTION_CREATE("SMS subscription creation"),
    SMS_SUBSCRIPTION_DELETE("SMS subscription deletion");

    private final String label;

    DialpadCall(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
