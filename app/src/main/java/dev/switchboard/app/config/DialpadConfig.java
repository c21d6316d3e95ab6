package dev.switchboard.app.config;

import dev.switchboard.core.secrets.Secret;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How Switchboard talks to Dialpad in the current environment.
 *
 * @param client      the OAuth client ({@code DIALPAD_<ENV>_CLIENT_ID/SECRET}), when configured
 * @param redirectUri the callback registered at Dialpad (RFC 6749 section 3.1.2: absolute, no fragment)
 * @param baseUrl     the Dialpad host every Dialpad URL is derived from, without a trailing slash
 * @param scopes      the scopes requested (RFC 6749 section 3.3), at least one
 */
public record DialpadConfig(Optional<Client> client, URI redirectUri, URI baseUrl, List<String> scopes) {
    public DialpadConfig {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(redirectUri, "redirectUri");
        Objects.requireNonNull(baseUrl, "baseUrl");
        scopes = List.copyOf(scopes);
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("at least one scope is needed");
        }
        if (redirectUri.getRawFragment() != null) {
            throw new IllegalArgumentException("a redirect URI must not have a fragment");
        }
    }

    /** The scopes as the {@code scope} parameter: separated by single spaces. */
    public String scopeParameter() {
        return String.join(" ", scopes);
    }

    /** An OAuth client registered at Dialpad; the secret redacts itself. */
    public record Client(String clientId, Secret clientSecret) {
        public Client {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
            if (clientId.isBlank()) {
                throw new IllegalArgumentException("a client id must not be blank");
            }
        }
    }
}
