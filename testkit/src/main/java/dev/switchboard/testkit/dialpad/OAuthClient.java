package dev.switchboard.testkit.dialpad;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An OAuth client registered at {@link FakeDialpad}: its id, its secret and the redirect URIs it may use, matched
 * exactly (RFC 6749 §3.1.2; a query is allowed, a fragment is not, §3.1.2).
 *
 * <p>{@link #toString()} never shows the secret.
 */
public record OAuthClient(String clientId, String clientSecret, List<String> redirectUris) {
    public OAuthClient {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        if (clientId.isBlank() || clientSecret.isBlank()) {
            throw new IllegalArgumentException("client id and secret must not be blank");
        }
        redirectUris = List.copyOf(redirectUris);
        if (redirectUris.isEmpty()) {
            throw new IllegalArgumentException("a client needs at least one redirect URI");
        }
        for (String uri : redirectUris) {
            URI parsed = URI.create(uri);
            if (!parsed.isAbsolute() || parsed.getRawFragment() != null || uri.contains("#")) {
                throw new IllegalArgumentException("a redirect URI must be absolute and carry no fragment: " + uri);
            }
        }
        if (Set.copyOf(redirectUris).size() != redirectUris.size()) {
            throw new IllegalArgumentException("duplicate redirect URI");
        }
    }

    @Override
    public String toString() {
        return "OAuthClient[clientId=" + clientId + ", clientSecret=<redacted>, redirectUris=" + redirectUris + "]";
    }
}
