package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A pending authorization: started by {@code GET /auth/dialpad/connect}, finished by the callback that presents its
 * {@code state}. The state itself and the browser's cookie are never kept, only their hashes.
 *
 * @param stateHash       SHA-256 of the {@code state} sent to Dialpad (the store's key)
 * @param appId           the app being connected
 * @param browserNonceHash SHA-256 of the nonce in the browser-binding cookie ({@link BrowserBinding})
 * @param verifier        the PKCE code verifier (RFC 7636 section 4.1), secret: stores keep it encrypted
 * @param createdAt       when the flow started
 * @param expiresAt       after this instant the state is refused
 * @param link            the connect link it was started from, which a completed connection uses up
 */
public record OAuthFlow(SecretHash stateHash, UUID appId, SecretHash browserNonceHash, String verifier,
                        Instant createdAt, Instant expiresAt, LinkBinding link) {
    public OAuthFlow {
        Objects.requireNonNull(stateHash, "stateHash");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(browserNonceHash, "browserNonceHash");
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(link, "link");
        if (verifier.isBlank()) {
            throw new IllegalArgumentException("a flow needs a PKCE verifier");
        }
        if (!expiresAt.isAfter(createdAt)) {
            throw new IllegalArgumentException("a flow must expire after it starts");
        }
    }

    /** The app and connect link this flow came from. */
    public FlowOrigin origin() {
        return new FlowOrigin(appId, link);
    }

    /** True when the state may no longer be used at {@code now}. */
    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "OAuthFlow[stateHash=" + stateHash + ", appId=" + appId + ", verifier=(redacted), createdAt="
                + createdAt + ", expiresAt=" + expiresAt + ", link=" + link + "]";
    }
}
