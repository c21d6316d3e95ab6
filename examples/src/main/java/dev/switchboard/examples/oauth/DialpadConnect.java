package dev.switchboard.examples.oauth;

import dev.switchboard.core.oauth.BrowserBinding;
import dev.switchboard.core.oauth.OAuthStates;
import dev.switchboard.core.oauth.Pkce;
import dev.switchboard.core.oauth.StateCheck;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * The browser side of connecting a Dialpad account (OAuth 2.0 authorization code with PKCE, RFC 6749 section 4.1 and
 * RFC 7636) in an embedder's service, with Switchboard's state and PKCE handling ({@link OAuthStates}) on the
 * embedder's own store ({@link MapStateStore}) and none of Switchboard's apps or connect links.
 *
 * <p>Usage: {@link #begin} when the person clicks "connect" (redirect to the URL, set the cookie); {@link #finish} at
 * the callback, then exchange the {@code code} with the returned verifier at Dialpad's token endpoint.
 */
public final class DialpadConnect {
    private final OAuthStates<URI> states;
    private final URI authorizeEndpoint;
    private final String clientId;
    private final URI callback;

    private DialpadConnect(OAuthStates<URI> states, URI authorizeEndpoint, String clientId, URI callback) {
        this.states = states;
        this.authorizeEndpoint = authorizeEndpoint;
        this.clientId = clientId;
        this.callback = callback;
    }

    /**
     * A connector for the client {@code clientId} whose callback is {@code callback}.
     *
     * @param cookieSecret at least 32 bytes, to sign the cookie that binds a flow to its browser
     */
    public static DialpadConnect create(URI authorizeEndpoint, String clientId, URI callback, String cookieSecret,
                                        Clock clock) {
        // tag::wiring[]
        SecureRandom random = new SecureRandom();
        OAuthStates<URI> states = OAuthStates.create(new MapStateStore<>(), BrowserBinding.of(cookieSecret, random),
                Pkce.using(random)::newVerifier, clock, random);
        // end::wiring[]
        return new DialpadConnect(states, Objects.requireNonNull(authorizeEndpoint), Objects.requireNonNull(clientId),
                Objects.requireNonNull(callback));
    }

    // tag::begin[]
    /** Starts a flow that ends at {@code returnTo}: where to send the browser, and the cookie to set on it. */
    public Redirect begin(URI returnTo) {
        OAuthStates.Begun begun = states.begin(returnTo);
        URI authorize = URI.create(authorizeEndpoint + "?response_type=code"
                + "&client_id=" + encode(clientId)
                + "&redirect_uri=" + encode(callback.toString())
                + "&state=" + begun.state()
                + "&code_challenge=" + begun.codeChallenge()
                + "&code_challenge_method=" + begun.codeChallengeMethod());
        return new Redirect(authorize, begun.cookieValue());
    }
    // end::begin[]

    // tag::finish[]
    /**
     * At the callback: the verifier to exchange the code with and where the person goes next, or empty when the state
     * is unknown, used, expired or came back in another browser (all look the same to the browser).
     */
    public Optional<Resumed> finish(String state, String cookie) {
        StateCheck<URI> check = states.finish(state, cookie);
        if (check instanceof StateCheck.Resumed<URI> resumed) {
            return Optional.of(new Resumed(resumed.verifier(), resumed.context()));
        }
        return Optional.empty();
    }
    // end::finish[]

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * Where to send the browser and the binding cookie to set on it (secret: HttpOnly, Secure, SameSite=Lax).
     *
     * @param authorizeUrl the authorization request, with state and S256 code challenge
     * @param cookieValue  the browser-binding cookie
     */
    public record Redirect(URI authorizeUrl, String cookieValue) {
        @Override
        public String toString() {
            return "Redirect[authorizeUrl=(carries the state), cookieValue=(redacted)]";
        }
    }

    /**
     * A callback that may go on to the token request.
     *
     * @param verifier the PKCE verifier to send as {@code code_verifier}
     * @param returnTo where the person goes once connected
     */
    public record Resumed(Pkce.Verifier verifier, URI returnTo) {
    }
}
