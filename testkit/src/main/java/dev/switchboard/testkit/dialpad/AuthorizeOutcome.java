package dev.switchboard.testkit.dialpad;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a browser sees after opening an authorize URL at {@link FakeDialpad}: either a redirect back to the client
 * (with a {@code code}, or with an {@code error} such as {@code access_denied}, RFC 6749 §4.1.2 and §4.1.2.1), or a
 * page that does not redirect because the client or its redirect URI cannot be trusted.
 */
public sealed interface AuthorizeOutcome {
    /** A 302 to {@code location}, the callback URL the browser would open next. */
    record Redirected(URI location) implements AuthorizeOutcome {
        public Redirected {
            Objects.requireNonNull(location, "location");
        }

        /** The value of query parameter {@code name} of the callback ({@code code}, {@code state}, {@code error}). */
        public Optional<String> parameter(String name) {
            List<String> values = HttpMessages.form(location.getRawQuery()).get(name);
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        @Override
        public String toString() {
            // the callback carries an authorization code
            return "Redirected[" + location.getScheme() + "://" + location.getRawAuthority() + location.getRawPath()
                    + "?<redacted>]";
        }
    }

    /** An answer that is not a redirect: an unknown client, an unregistered redirect URI, or an injected fault. */
    record Refused(int status, String body) implements AuthorizeOutcome {
        public Refused {
            Objects.requireNonNull(body, "body");
        }
    }
}
