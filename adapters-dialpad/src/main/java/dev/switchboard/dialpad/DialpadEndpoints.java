package dev.switchboard.dialpad;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Every Dialpad URL Switchboard calls, derived from one base URL ({@code DIALPAD_SANDBOX_BASE_URL} or
 * {@code DIALPAD_PROD_BASE_URL}): the OAuth endpoints and the REST API under {@code /api/v2}. Immutable and
 * thread-safe.
 */
public record DialpadEndpoints(URI base) {
    public DialpadEndpoints {
        Objects.requireNonNull(base, "base");
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("the Dialpad base URL must be http or https");
        }
        if (base.getHost() == null || base.getRawQuery() != null || base.getRawFragment() != null) {
            throw new IllegalArgumentException("the Dialpad base URL must be a host with an optional path");
        }
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        base = URI.create(scheme + "://" + base.getRawAuthority() + path);
    }

    /** Parses a base URL such as {@code https://sandbox.dialpad.com}. */
    public static DialpadEndpoints of(String base) {
        return new DialpadEndpoints(URI.create(Objects.requireNonNull(base, "base").trim()));
    }

    /** {@code GET /oauth2/authorize}: where the browser is sent to grant access. */
    public URI authorize() {
        return resolve("/oauth2/authorize");
    }

    /** {@code POST /oauth2/token}: code exchange and refresh. */
    public URI token() {
        return resolve("/oauth2/token");
    }

    /** {@code POST /oauth2/deauthorize}: revokes the access token given as Bearer. */
    public URI deauthorize() {
        return resolve("/oauth2/deauthorize");
    }

    /** {@code GET /api/v2/company}: the organisation behind an access token. */
    public URI company() {
        return resolve("/api/v2/company");
    }

    /** {@code /api/v2/webhooks}: webhook endpoints. */
    public URI webhooks() {
        return resolve("/api/v2/webhooks");
    }

    /** {@code /api/v2/webhooks/{id}}. */
    public URI webhook(String id) {
        return resolve("/api/v2/webhooks/" + pathSegment(id));
    }

    /** {@code /api/v2/subscriptions/call}: call event subscriptions. */
    public URI callSubscriptions() {
        return resolve("/api/v2/subscriptions/call");
    }

    /** {@code /api/v2/subscriptions/sms}: SMS event subscriptions. */
    public URI smsSubscriptions() {
        return resolve("/api/v2/subscriptions/sms");
    }

    /** {@code /api/v2/subscriptions/call/{id}}. */
    public URI callSubscription(String id) {
        return resolve("/api/v2/subscriptions/call/" + pathSegment(id));
    }

    /** {@code /api/v2/subscriptions/sms/{id}}. */
    public URI smsSubscription(String id) {
        return resolve("/api/v2/subscriptions/sms/" + pathSegment(id));
    }

    private URI resolve(String path) {
        return URI.create(base + path);
    }

    private static String pathSegment(String id) {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty() || !id.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
            throw new IllegalArgumentException("a Dialpad id must be letters, digits, '-' or '_'");
        }
        return id;
    }
}
