package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Objects;

/**
 * A pending OAuth authorization as an {@link OAuthStateStore} keeps it: the hashes of the {@code state} and of the
 * browser-binding nonce (never the secrets themselves), the PKCE verifier (secret: a store keeps it encrypted or at
 * least never logs it), and the caller's own context (a redirect URI, a user id, or Switchboard's app and link).
 *
 * @param stateHash        SHA-256 of the {@code state} sent to the authorization server (the store's key)
 * @param browserNonceHash SHA-256 of the nonce in the browser-binding cookie ({@link BrowserBinding})
 * @param verifier         the PKCE code verifier (RFC 7636 section 4.1)
 * @param createdAt        when the flow started
 * @param expiresAt        after this instant the state is refused
 * @param context          what the caller attached at {@link OAuthStates#begin}; handed back at the finish
 * @param <C>              the type of the caller's context
 */
public record PendingState<C>(SecretHash stateHash, SecretHash browserNonceHash, Pkce.Verifier verifier,
                              Instant createdAt, Instant expiresAt, C context) {
    public PendingState {
        Objects.requireNonNull(stateHash, "stateHash");
        Objects.requireNonNull(browserNonceHash, "browserNonceHash");
        Objects.requireNonNull(verifier, "verifier");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(context, "context");
        if (!expiresAt.isAfter(createdAt)) {
            throw new IllegalArgumentException("a flow must expire after it starts");
        }
    }

    /** True when the state may no longer be used at {@code now}. */
    public boolean isExpiredAt(Instant now) {
        return !now.isBefore(expiresAt);
    }

    @Override
    public String toString() {
        return "PendingState[stateHash=" + stateHash + ", verifier=(redacted), createdAt=" + createdAt
                + ", expiresAt=" + expiresAt + ", context=" + context + "]";
    }
}
