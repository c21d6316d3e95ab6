package dev.switchboard.app.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The environment map being read and the problems found so far, shared by the sections of
 * {@link ConfigurationReader}. Not thread-safe: one instance serves one read.
 */
final class EnvironmentVariables {
    /** A host name, a bracketed IPv6 literal, or a bare IPv6 literal. */
    static final Pattern HOST =
            Pattern.compile("[A-Za-z0-9._-]{1,253}|\\[[0-9A-Fa-f:.]+]|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final Map<String, String> environment;
    private final List<String> problems = new ArrayList<>();

    EnvironmentVariables(Map<String, String> environment) {
        this.environment = environment;
    }

    /** Every problem found so far, in the order found. */
    List<String> problems() {
        return problems;
    }

    /** The value exactly as given, blank or not, or null when unset: for values whose spaces may matter. */
    String raw(String name) {
        return environment.get(name);
    }

    /**
     * Checks an absolute http(s) URL. At most one problem per variable, and the URL is never echoed: it could hold
     * credentials in its user-info part.
     */
    Optional<URI> url(String name, String text, boolean httpsRequired, boolean queryAllowed,
                     boolean fragmentAllowed) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            problem(name, "is not a valid URL");
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
            problem(name, "must be an absolute http or https URL");
        } else if (uri.getHost() == null) {
            problem(name, "must name a host");
        } else if (uri.getRawUserInfo() != null) {
            problem(name, "must not contain a user name or password");
        } else if (httpsRequired && !scheme.equals("https")) {
            problem(name, "must be an https URL in production");
        } else if (!queryAllowed && uri.getRawQuery() != null) {
            problem(name, "must not have a query (?...)");
        } else if (!fragmentAllowed && uri.getRawFragment() != null) {
            problem(name, "must not have a fragment (#...)");
        } else {
            return Optional.of(uri);
        }
        return Optional.empty();
    }

    int intValue(String name, int fallback, int min, int max, String what) {
        Optional<String> text = optional(name);
        if (text.isEmpty()) {
            return fallback;
        }
        String digits = text.get();
        if (digits.length() <= 9 && !digits.isEmpty() && digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            int value = Integer.parseInt(digits);
            if (value >= min && value <= max) {
                return value;
            }
        }
        problem(name, "is " + shown(digits) + ", expected " + what);
        return fallback;
    }

    Optional<String> optional(String name) {
        String value = environment.get(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(value.strip());
    }

    String firstSet(String... names) {
        for (String name : names) {
            if (optional(name).isPresent()) {
                return name;
            }
        }
        return null;
    }

    void problem(String variable, String sentence) {
        problems.add(variable + " " + sentence);
    }

    /** A non-secret value quoted for a problem line: control characters dropped, long values cut. */
    static String shown(String value) {
        StringBuilder clean = new StringBuilder();
        value.codePoints().filter(c -> !Character.isISOControl(c)).limit(40).forEach(clean::appendCodePoint);
        return "'" + clean + (value.length() > 40 ? "...'" : "'");
    }
}
