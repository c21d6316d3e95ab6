package dev.switchboard.dialpad;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import dev.switchboard.core.oauth.CompanyLookup;
import dev.switchboard.core.oauth.DialpadAuthorizationServer;
import dev.switchboard.core.oauth.Revocation;
import dev.switchboard.core.oauth.TokenGrant;
import dev.switchboard.core.oauth.TokenResponse;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DialpadAuthorizationServer} over Dialpad's real OAuth 2.0 endpoints, built with the Nimbus OAuth 2.0 SDK:
 * Nimbus writes the authorization URL and the token requests (grant, PKCE verifier, client authentication), the
 * JDK's HTTP client sends them with the configured timeouts.
 *
 * <p>Token answers are read field by field into core's {@link TokenResponse} exactly as sent, without Nimbus's
 * parser: that one rejects a {@code token_type} such as {@code BEARER} and a missing refresh token before
 * {@link dev.switchboard.core.oauth.TokenResponseCheck} could say what was wrong. Refusals carry the OAuth
 * {@code error} code (RFC 6749 section 5.2) when it is a short code, and a sentence of our own: Dialpad's
 * {@code error_description} and bodies are never passed on. Logs name the call, the status and the duration only.
 *
 * <p>Immutable and thread-safe; one instance serves every connection of an environment.
 */
public final class NimbusDialpadClient implements DialpadAuthorizationServer {
    private static final Logger LOG = LoggerFactory.getLogger(NimbusDialpadClient.class);
    private static final Pattern OAUTH_ERROR_CODE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern S256_CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final DialpadClientSettings settings;
    private final ClientID clientId;
    private final ClientAuthentication clientAuthentication;
    private final DialpadTransport transport;

    private NimbusDialpadClient(DialpadClientSettings settings, DialpadTransport transport) {
        this.settings = settings;
        this.clientId = new ClientID(settings.clientId());
        Secret secret = new Secret(settings.clientSecret());
        this.clientAuthentication = switch (settings.clientAuth()) {
            case CLIENT_SECRET_POST -> new ClientSecretPost(clientId, secret);
            case CLIENT_SECRET_BASIC -> new ClientSecretBasic(clientId, secret);
        };
        this.transport = transport;
    }

    /** A client for the Dialpad environment {@code settings} describes. */
    public static NimbusDialpadClient create(DialpadClientSettings settings) {
        Objects.requireNonNull(settings, "settings");
        return new NimbusDialpadClient(settings,
                DialpadTransport.create(settings.connectTimeout(), settings.readTimeout()));
    }

    /**
     * A client with every setting spelled out.
     *
     * @param clientSecret never logged; {@link #toString()} redacts it
     * @param clientAuth   form body ({@code client_secret_post}, the default) or HTTP Basic
     */
    public static NimbusDialpadClient create(DialpadEndpoints endpoints, String clientId, String clientSecret,
                                             URI redirectUri, DialpadClientAuth clientAuth,
                                             Duration connectTimeout, Duration readTimeout) {
        return create(new DialpadClientSettings(endpoints, clientId, clientSecret, redirectUri, clientAuth,
                connectTimeout, readTimeout));
    }

    /**
     * {@inheritDoc}
     *
     * @param codeChallenge the S256 challenge core computed (43 base64url characters), sent as given
     * @throws IllegalArgumentException for a blank state, a malformed challenge or no scope
     */
    @Override
    public URI authorizeUrl(String state, String codeChallenge, List<String> scopes) {
        requireText(state, "state");
        Objects.requireNonNull(codeChallenge, "codeChallenge");
        Objects.requireNonNull(scopes, "scopes");
        if (!S256_CHALLENGE.matcher(codeChallenge).matches()) {
            throw new IllegalArgumentException("an S256 code challenge is 43 base64url characters");
        }
        if (scopes.isEmpty() || scopes.stream().anyMatch(scope -> scope == null || scope.isBlank()
                || scope.chars().anyMatch(c -> c <= ' '))) {
            throw new IllegalArgumentException("at least one scope, each without spaces, is required");
        }
        CodeChallenge challenge;
        try {
            challenge = CodeChallenge.parse(codeChallenge);
        } catch (ParseException malformed) {
            throw new IllegalArgumentException("the code challenge is malformed");
        }
        return new AuthorizationRequest.Builder(ResponseType.CODE, clientId)
                .endpointURI(settings.endpoints().authorize())
                .redirectionURI(settings.redirectUri())
                .scope(new Scope(scopes.toArray(String[]::new)))
                .state(new State(state))
                .codeChallenge(challenge, CodeChallengeMethod.S256)
                .build()
                .toURI();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException for a blank code or a verifier that is not 43 to 128 unreserved characters
     *                                  (RFC 7636 section 4.1)
     */
    @Override
    public TokenGrant exchange(String code, String verifier) {
        requireText(code, "code");
        requireText(verifier, "verifier");
        AuthorizationGrant grant = new AuthorizationCodeGrant(new AuthorizationCode(code), settings.redirectUri(),
                new CodeVerifier(verifier));
        return token(DialpadCall.TOKEN_EXCHANGE, grant);
    }

    @Override
    public TokenGrant refresh(String refreshToken) {
        requireText(refreshToken, "refreshToken");
        return token(DialpadCall.TOKEN_REFRESH, new RefreshTokenGrant(new RefreshToken(refreshToken)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Any 2xx is {@code Revoked}; 401 is {@code Refused(invalid_token)}; another 4xx but 429 is {@code Refused};
     * 429, 5xx and network failures are {@code Unavailable}.
     */
    @Override
    public Revocation deauthorize(String accessToken) {
        requireText(accessToken, "accessToken");
        HTTPRequest request = new HTTPRequest(HTTPRequest.Method.POST, settings.endpoints().deauthorize());
        request.setAuthorization(new BearerAccessToken(accessToken).toAuthorizationHeader());
        DialpadReply reply = transport.send(DialpadCall.DEAUTHORIZE, request);
        if (reply instanceof DialpadReply.Failed failed) {
            return new Revocation.Unavailable(failed.reason());
        }
        if (!(reply instanceof DialpadReply.Answered answer)) {
            throw new IllegalStateException("unexpected outcome " + reply.getClass().getName());
        }
        int status = answer.status();
        if (status >= 200 && status < 300) {
            LOG.info("Dialpad revoked the grant");
            return new Revocation.Revoked();
        }
        if (status == 401) {
            return logged(new Revocation.Refused("invalid_token",
                    "Dialpad did not accept the access token to revoke: it is expired or already revoked."));
        }
        if (isRefusal(status)) {
            String code = oauthErrorCode(answer.body()).orElse("http_" + status);
            return logged(new Revocation.Refused(code, "Dialpad refused to revoke the grant (" + code + ")."));
        }
        return new Revocation.Unavailable(unusableStatus(status, DialpadCall.DEAUTHORIZE));
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code Found} carries the company's {@code id}, a JSON number or string, as text. 401 and 403 are
     * {@code Refused}; any other status, an answer without an id and network failures are {@code Unavailable}.
     */
    @Override
    public CompanyLookup companyId(String accessToken) {
        requireText(accessToken, "accessToken");
        HTTPRequest request = new HTTPRequest(HTTPRequest.Method.GET, settings.endpoints().company());
        request.setAuthorization(new BearerAccessToken(accessToken).toAuthorizationHeader());
        request.setAccept("application/json");
        DialpadReply reply = transport.send(DialpadCall.COMPANY, request);
        if (reply instanceof DialpadReply.Failed failed) {
            return new CompanyLookup.Unavailable(failed.reason());
        }
        if (!(reply instanceof DialpadReply.Answered answer)) {
            throw new IllegalStateException("unexpected outcome " + reply.getClass().getName());
        }
        int status = answer.status();
        if (status == 200) {
            String id = DialpadJson.object(answer.body()).map(company -> DialpadJson.id(company, "id")).orElse(null);
            if (id == null) {
                return new CompanyLookup.Unavailable("Dialpad's company answer has no usable id");
            }
            try {
                return new CompanyLookup.Found(id);
            } catch (IllegalArgumentException unusable) {
                return new CompanyLookup.Unavailable("Dialpad's company id is not a usable organisation id");
            }
        }
        if (status == 401) {
            return logged(new CompanyLookup.Refused("invalid_token",
                    "Dialpad did not accept the access token: it is expired or revoked."));
        }
        if (status == 403) {
            return logged(new CompanyLookup.Refused("forbidden",
                    "Dialpad does not let this access token read the company."));
        }
        return new CompanyLookup.Unavailable(unusableStatus(status, DialpadCall.COMPANY));
    }

    private TokenGrant token(DialpadCall call, AuthorizationGrant grant) {
        HTTPRequest request = new TokenRequest(settings.endpoints().token(), clientAuthentication, grant)
                .toHTTPRequest();
        request.setAccept("application/json");
        DialpadReply reply = transport.send(call, request);
        if (reply instanceof DialpadReply.Failed failed) {
            return new TokenGrant.Unavailable(failed.reason());
        }
        if (!(reply instanceof DialpadReply.Answered answer)) {
            throw new IllegalStateException("unexpected outcome " + reply.getClass().getName());
        }
        int status = answer.status();
        if (status >= 200 && status < 300) {
            Optional<ObjectNode> body = DialpadJson.object(answer.body());
            if (body.isEmpty()) {
                LOG.info("Dialpad {} answered {} with a body that is not a JSON object", call, status);
                return new TokenGrant.Unavailable("Dialpad's token answer was not a JSON object");
            }
            ObjectNode tokens = body.get();
            return new TokenGrant.Tokens(new TokenResponse(DialpadJson.text(tokens, "access_token"),
                    DialpadJson.text(tokens, "refresh_token"), DialpadJson.text(tokens, "token_type"),
                    DialpadJson.wholeNumber(tokens, "expires_in")));
        }
        if (isRefusal(status)) {
            String code = oauthErrorCode(answer.body()).orElse("http_" + status);
            TokenGrant.Refused refused = new TokenGrant.Refused(code, tokenRefusal(call, code));
            LOG.info("Dialpad refused the {}: {}", call, code);
            return refused;
        }
        return new TokenGrant.Unavailable(unusableStatus(status, call));
    }

    private static String tokenRefusal(DialpadCall call, String code) {
        return switch (code.toLowerCase(Locale.ROOT)) {
            case "invalid_grant" -> call == DialpadCall.TOKEN_REFRESH
                    ? "Dialpad refused the refresh token (invalid_grant): it is expired, already used or revoked;"
                    + " the app must be connected again."
                    : "Dialpad refused the authorization code (invalid_grant): it is expired, already used, issued"
                    + " for another redirect URI, or the PKCE verifier does not match.";
            case "invalid_client" -> "Dialpad did not accept Switchboard's client id and secret (invalid_client).";
            case "unauthorized_client" -> "Dialpad does not allow this client to use this grant (unauthorized_client).";
            case "invalid_scope" -> "Dialpad refused the requested scopes (invalid_scope).";
            default -> "Dialpad refused the " + call + " (" + code + ").";
        };
    }

    /** The RFC 6749 section 5.2 {@code error} of a body, when it is a short code; free text is never taken. */
    static Optional<String> oauthErrorCode(String body) {
        return DialpadJson.object(body)
                .map(object -> DialpadJson.text(object, "error"))
                .filter(code -> OAUTH_ERROR_CODE.matcher(code).matches());
    }

    /** A 4xx that retrying will not change; 429 asks to retry later. */
    static boolean isRefusal(int status) {
        return status >= 400 && status < 500 && status != 429;
    }

    static String unusableStatus(int status, DialpadCall call) {
        if (status == 429) {
            return "Dialpad is rate limiting the " + call + "; try again later";
        }
        return "Dialpad answered the " + call + " with HTTP " + status;
    }

    private static <T> T logged(T refusal) {
        LOG.info("Dialpad refused: {}", refusal);
        return refusal;
    }

    /** Rejects a null ({@link NullPointerException}) or blank ({@link IllegalArgumentException}) {@code value}. */
    static void requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    @Override
    public String toString() {
        return "NimbusDialpadClient[" + settings + "]";
    }
}
