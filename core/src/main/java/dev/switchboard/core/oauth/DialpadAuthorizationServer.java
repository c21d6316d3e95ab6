package dev.switchboard.core.oauth;

import java.net.URI;
import java.util.List;

/**
 * Port: Dialpad's OAuth 2.0 authorization server and the one API call the connect flow needs. Implemented by the
 * Dialpad adapter for the configured environment (host, client id and secret, redirect URI).
 *
 * <p>Implementations are thread-safe and bound every network call with connect and read timeouts (a few seconds
 * each, well under the 30 s a browser or a background task would wait); a timeout, a connection failure, a 5xx or
 * an unreadable answer is {@code Unavailable}, never an exception and never a hang. Outcomes carry only error codes
 * and fixed, safe sentences: never a token, a code, a verifier or the provider's raw body.
 */
public interface DialpadAuthorizationServer {
    /**
     * The authorization request URL (RFC 6749 section 4.1.1, RFC 7636 section 4.3): {@code response_type=code},
     * the client id, the redirect URI, {@code scope} (space separated), {@code state}, {@code code_challenge} and
     * {@code code_challenge_method=S256}. Pure: makes no network call.
     */
    URI authorizeUrl(String state, String codeChallenge, List<String> scopes);

    /**
     * Exchanges an authorization code with its PKCE verifier (RFC 6749 section 4.1.3, RFC 7636 section 4.5). The
     * returned tokens still have to pass {@link TokenResponseCheck#ofExchange}.
     */
    TokenGrant exchange(String code, String verifier);

    /** Trades a refresh token for new tokens (RFC 6749 section 6); the answer goes through {@link TokenResponseCheck#ofRefresh}. */
    TokenGrant refresh(String refreshToken);

    /** Revokes the grant behind {@code accessToken} ({@code POST /oauth2/deauthorize}, answered 204). */
    Revocation deauthorize(String accessToken);

    /** Reads the organisation (company) id the token belongs to ({@code GET /api/v2/company}). */
    CompanyLookup companyId(String accessToken);
}
