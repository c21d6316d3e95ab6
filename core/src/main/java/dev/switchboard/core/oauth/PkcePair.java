package dev.switchboard.core.oauth;

import java.util.Objects;

/**
 * A PKCE code verifier and its S256 challenge (RFC 7636 sections 4.1 and 4.2), as {@link OAuthFlows} needs them.
 * Produced by whatever generator the application wires in (a {@code Supplier<PkcePair>}).
 *
 * @param verifier  secret: kept encrypted with the flow and sent only in the token request
 * @param challenge {@code BASE64URL(SHA256(verifier))}, sent in the authorize URL
 */
public record PkcePair(String verifier, String challenge) {
    public PkcePair {
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(challenge, "challenge");
        if (verifier.isBlank() || challenge.isBlank()) {
            throw new IllegalArgumentException("a PKCE verifier and challenge must not be blank");
        }
    }

    @Override
    public String toString() {
        return "PkcePair[verifier=(redacted), challenge=" + challenge + "]";
    }
}
