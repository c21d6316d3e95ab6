package dev.switchboard.testkit.dialpad;

import dev.switchboard.testkit.dialpad.HttpMessages.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The authorization server half of the fake: clients, codes, grants and tokens, and the behaviour switches that
 * bend it. Every method is thread-safe; per-grant state changes under the grant's lock so that two concurrent
 * refreshes of one refresh token cannot both win.
 */
final class OAuthServer {
    /** RFC 7636 §4.1 and §4.2: 43 to 128 characters of the unreserved set. */
    private static final Pattern PKCE_VALUE = Pattern.compile("[A-Za-z0-9._~-]{43,128}");
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final Supplier<Instant> now;
    private final SecureRandom random;
    private final Duration codeLifetime;

    private final Map<String, OAuthClient> clients = new ConcurrentHashMap<>();
    private final Map<String, PendingCode> codes = new ConcurrentHashMap<>();
    private final Map<String, AccessToken> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, Grant> refreshTokens = new ConcurrentHashMap<>();
    private final Map<Long, Grant> grants = new ConcurrentHashMap<>();
    private final Set<String> deauthorizedTokens = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Long> nextConsentOrganisations = new ConcurrentLinkedQueue<>();
    private final AtomicLong grantIds = new AtomicLong();

    volatile boolean denyConsent;
    volatile boolean rejectPlainPkce;
    volatile boolean omitRefreshToken;
    volatile boolean revokeGrantOnRefreshTokenReuse;
    volatile String tokenType = "bearer";
    volatile ExpiresInField expiresInField = ExpiresInField.ACTUAL;
    volatile Duration accessTokenLifetime = Duration.ofHours(1);
    volatile long defaultOrganisationId;

    final LongAdder tokenExchanges = new LongAdder();
    final LongAdder tokenExchangeFailures = new LongAdder();
    final LongAdder refreshes = new LongAdder();
    final LongAdder refreshFailures = new LongAdder();
    final LongAdder refreshTokenReuses = new LongAdder();
    final LongAdder codeReuses = new LongAdder();
    final LongAdder deauthorizations = new LongAdder();
    final AtomicReference<String> lastClientAuthentication = new AtomicReference<>();

    OAuthServer(Supplier<Instant> now, SecureRandom random, Duration codeLifetime, long defaultOrganisationId) {
        this.now = now;
        this.random = random;
        this.codeLifetime = codeLifetime;
        this.defaultOrganisationId = defaultOrganisationId;
    }

    void register(OAuthClient client) {
        clients.put(client.clientId(), client);
    }

    void grantNextConsentTo(long organisationId) {
        nextConsentOrganisations.add(organisationId);
    }

    void resetBehaviour() {
        denyConsent = false;
        rejectPlainPkce = false;
        omitRefreshToken = false;
        revokeGrantOnRefreshTokenReuse = false;
        tokenType = "bearer";
        expiresInField = ExpiresInField.ACTUAL;
        accessTokenLifetime = Duration.ofHours(1);
        nextConsentOrganisations.clear();
    }

    void resetCounters() {
        for (LongAdder counter : List.of(tokenExchanges, tokenExchangeFailures, refreshes, refreshFailures,
                refreshTokenReuses, codeReuses, deauthorizations)) {
            counter.reset();
        }
        lastClientAuthentication.set(null);
    }

    // ---- authorize (RFC 6749 §4.1.1, RFC 7636 §4.3) ----

    Response authorize(Map<String, List<String>> query, OptionalLong organisationOverride) {
        Optional<Map<String, String>> single = HttpMessages.single(query);
        if (single.isEmpty()) {
            // with a repeated client_id or redirect_uri there is no trustworthy place to redirect to
            return HttpMessages.oauthError(400, "invalid_request", "a parameter was repeated");
        }
        Map<String, String> params = single.get();
        OAuthClient client = params.get("client_id") == null ? null : clients.get(params.get("client_id"));
        String redirectUri = params.get("redirect_uri");
        // §4.1.2.1: with an unknown client or an unregistered redirect URI, never redirect
        if (client == null) {
            return HttpMessages.oauthError(400, "invalid_client", "unknown client");
        }
        if (redirectUri == null || !client.redirectUris().contains(redirectUri)) {
            return HttpMessages.oauthError(400, "invalid_request", "redirect_uri is not registered for this client");
        }
        String state = params.get("state");
        if (!"code".equals(params.get("response_type"))) {
            return errorRedirect(redirectUri, "unsupported_response_type", "only response_type=code", state);
        }
        String challenge = params.get("code_challenge");
        if (challenge == null) {
            return errorRedirect(redirectUri, "invalid_request", "code challenge required", state);
        }
        String method = params.getOrDefault("code_challenge_method", "plain");
        if (!method.equals("S256") && !method.equals("plain")) {
            return errorRedirect(redirectUri, "invalid_request", "transform algorithm not supported", state);
        }
        if (method.equals("plain") && rejectPlainPkce) {
            return errorRedirect(redirectUri, "invalid_request", "transform algorithm not supported", state);
        }
        if (!PKCE_VALUE.matcher(challenge).matches()) {
            return errorRedirect(redirectUri, "invalid_request", "malformed code challenge", state);
        }
        if (denyConsent) {
            return errorRedirect(redirectUri, "access_denied", "the user denied the request", state);
        }
        long organisation = organisationOverride.isPresent() ? organisationOverride.getAsLong()
                : Optional.ofNullable(nextConsentOrganisations.poll()).orElse(defaultOrganisationId);
        String code = randomToken(32);
        codes.put(code, new PendingCode(client.clientId(), redirectUri, challenge, method,
                params.getOrDefault("scope", ""), organisation, now.get().plus(codeLifetime)));
        StringBuilder location = new StringBuilder(redirectUri).append(redirectUri.contains("?") ? '&' : '?')
                .append("code=").append(HttpMessages.encode(code));
        if (state != null) {
            location.append("&state=").append(HttpMessages.encode(state));
        }
        return Response.redirect(location.toString());
    }

    private static Response errorRedirect(String redirectUri, String error, String description, String state) {
        StringBuilder location = new StringBuilder(redirectUri).append(redirectUri.contains("?") ? '&' : '?')
                .append("error=").append(error)
                .append("&error_description=").append(HttpMessages.encode(description));
        if (state != null) {
            location.append("&state=").append(HttpMessages.encode(state));
        }
        return Response.redirect(location.toString());
    }

    // ---- token (RFC 6749 §3.2, §4.1.3, §6, errors §5.2) ----

    Response token(RecordedRequest request) {
        if (!request.method().equals("POST")) {
            return HttpMessages.oauthError(405, "invalid_request", "use POST").withHeader("Allow", "POST");
        }
        Optional<Map<String, String>> parsed = tokenParameters(request);
        if (parsed.isEmpty()) {
            return HttpMessages.oauthError(400, "invalid_request",
                    "expected one form-urlencoded or JSON body with each parameter once");
        }
        Map<String, String> params = parsed.get();
        String grantType = params.get("grant_type");
        boolean refresh = "refresh_token".equals(grantType);
        Response response;
        Object authenticated = authenticate(request, params);
        if (authenticated instanceof Response failure) {
            response = failure;
        } else if (grantType == null) {
            response = HttpMessages.oauthError(400, "invalid_request", "grant_type is required");
        } else if (grantType.equals("authorization_code")) {
            response = exchangeCode((OAuthClient) authenticated, params);
        } else if (refresh) {
            response = refresh((OAuthClient) authenticated, params);
        } else {
            response = HttpMessages.oauthError(400, "unsupported_grant_type", "grant type not supported");
        }
        boolean ok = response.status() == 200;
        if (refresh) {
            (ok ? refreshes : refreshFailures).increment();
        } else {
            (ok ? tokenExchanges : tokenExchangeFailures).increment();
        }
        return response;
    }

    private static Optional<Map<String, String>> tokenParameters(RecordedRequest request) {
        String contentType = request.header("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        try {
            if (contentType.startsWith("application/x-www-form-urlencoded")) {
                return HttpMessages.single(HttpMessages.form(new String(request.body(), StandardCharsets.UTF_8)));
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (contentType.startsWith("application/json")) {
            return HttpMessages.jsonObjectOfScalars(request.body());
        }
        return Optional.empty();
    }

    /** The authenticated client, or the error response (RFC 6749 §2.3.1, §5.2 {@code invalid_client}). */
    private Object authenticate(RecordedRequest request, Map<String, String> params) {
        Optional<String> authorization = request.header("Authorization");
        Optional<String[]> basic = authorization.flatMap(HttpMessages::basic);
        String clientId;
        String secret;
        if (authorization.isPresent() && basic.isEmpty()) {
            return invalidClient(true);
        }
        if (basic.isPresent()) {
            // §2.3: a client must not use more than one authentication method in a request
            if (params.containsKey("client_secret")) {
                return HttpMessages.oauthError(400, "invalid_request", "more than one client authentication");
            }
            clientId = basic.get()[0];
            secret = basic.get()[1];
            if (params.containsKey("client_id") && !params.get("client_id").equals(clientId)) {
                return HttpMessages.oauthError(400, "invalid_request", "client_id differs from the authenticated one");
            }
        } else {
            clientId = params.get("client_id");
            secret = params.get("client_secret");
            if (clientId == null || secret == null) {
                return invalidClient(false);
            }
        }
        OAuthClient client = clients.get(clientId);
        if (client == null || !MessageDigest.isEqual(secret.getBytes(StandardCharsets.UTF_8),
                client.clientSecret().getBytes(StandardCharsets.UTF_8))) {
            return invalidClient(basic.isPresent());
        }
        lastClientAuthentication.set(basic.isPresent() ? "client_secret_basic" : "client_secret_post");
        return client;
    }

    private static Response invalidClient(boolean basic) {
        Response response = HttpMessages.oauthError(401, "invalid_client", "client authentication failed");
        return basic ? response.withHeader("WWW-Authenticate", "Basic realm=\"dialpad\"") : response;
    }

    private Response exchangeCode(OAuthClient client, Map<String, String> params) {
        String code = params.get("code");
        if (code == null) {
            return HttpMessages.oauthError(400, "invalid_request", "code is required");
        }
        PendingCode pending = codes.get(code);
        if (pending == null) {
            return invalidGrant("unknown authorization code");
        }
        synchronized (pending) {
            if (pending.redeemedBy != null) {
                // RFC 6749 §4.1.2: a reused code is refused, and what it granted should be revoked
                codeReuses.increment();
                revoke(pending.redeemedBy);
                return invalidGrant("authorization code already used");
            }
            if (pending.burnt) {
                return invalidGrant("authorization code no longer valid");
            }
            if (!pending.clientId.equals(client.clientId())) {
                return invalidGrant("authorization code was issued to another client");
            }
            // one redemption attempt per code: a wrong verifier cannot be retried against it
            pending.burnt = true;
            if (!now.get().isBefore(pending.expiresAt)) {
                return invalidGrant("authorization code expired");
            }
            if (!pending.redirectUri.equals(params.get("redirect_uri"))) {
                return invalidGrant("redirect_uri does not match the authorization request");
            }
            String verifier = params.get("code_verifier");
            if (verifier == null || !PKCE_VALUE.matcher(verifier).matches()
                    || !MessageDigest.isEqual(transform(verifier, pending.method).getBytes(StandardCharsets.US_ASCII),
                            pending.challenge.getBytes(StandardCharsets.US_ASCII))) {
                return invalidGrant("code_verifier does not match the code challenge");
            }
            Grant grant = new Grant(grantIds.incrementAndGet(), client.clientId(), pending.organisationId,
                    pending.scope);
            pending.redeemedBy = grant;
            grants.put(grant.id, grant);
            synchronized (grant) {
                AccessToken access = newAccessToken(grant);
                boolean withRefreshToken = !omitRefreshToken;
                if (withRefreshToken) {
                    rotate(grant);
                }
                return tokenResponse(grant, access, withRefreshToken);
            }
        }
    }

    private Response refresh(OAuthClient client, Map<String, String> params) {
        String presented = params.get("refresh_token");
        if (presented == null) {
            return HttpMessages.oauthError(400, "invalid_request", "refresh_token is required");
        }
        Grant grant = refreshTokens.get(presented);
        if (grant == null || !grant.clientId.equals(client.clientId())) {
            return invalidGrant("unknown refresh token");
        }
        synchronized (grant) {
            if (grant.revoked) {
                return invalidGrant("grant revoked");
            }
            if (!presented.equals(grant.refreshToken)) {
                refreshTokenReuses.increment();
                if (revokeGrantOnRefreshTokenReuse) {
                    grant.revoked = true;
                }
                return invalidGrant("refresh token already used");
            }
            AccessToken access = newAccessToken(grant);
            // without a new refresh token in the answer the client keeps the old one, so it must stay valid
            boolean withRefreshToken = !omitRefreshToken;
            if (withRefreshToken) {
                rotate(grant);
            }
            return tokenResponse(grant, access, withRefreshToken);
        }
    }

    private static Response invalidGrant(String description) {
        return HttpMessages.oauthError(400, "invalid_grant", description);
    }

    private static String transform(String verifier, String method) {
        if (method.equals("plain")) {
            return verifier;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return BASE64URL.encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    private AccessToken newAccessToken(Grant grant) {
        Duration lifetime = accessTokenLifetime;
        AccessToken access = new AccessToken(randomToken(32), grant, now.get().plus(lifetime), lifetime);
        accessTokens.put(access.value, access);
        return access;
    }

    private void rotate(Grant grant) {
        String next = randomToken(32);
        refreshTokens.put(next, grant);
        grant.refreshToken = next;
    }

    private Response tokenResponse(Grant grant, AccessToken access, boolean withRefreshToken) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", access.value);
        body.put("token_type", tokenType);
        switch (expiresInField) {
            case ACTUAL -> body.put("expires_in", access.lifetime.toSeconds());
            case ZERO -> body.put("expires_in", 0);
            case MISSING -> { }
        }
        if (withRefreshToken) {
            body.put("refresh_token", grant.refreshToken);
        }
        return Response.json(200, body).withHeader("Cache-Control", "no-store").withHeader("Pragma", "no-cache");
    }

    IssuedTokens issueTokens(String clientId, long organisationId, String scope) {
        if (!clients.containsKey(clientId)) {
            throw new IllegalArgumentException("unknown client " + clientId);
        }
        Grant grant = new Grant(grantIds.incrementAndGet(), clientId, organisationId, scope);
        grants.put(grant.id, grant);
        synchronized (grant) {
            AccessToken access = newAccessToken(grant);
            rotate(grant);
            return new IssuedTokens(access.value, grant.refreshToken, access.expiresAt, organisationId, scope);
        }
    }

    // ---- bearer tokens, deauthorize ----

    /** The organisation of an access token that is known, unexpired and not revoked. */
    OptionalLong organisationOf(String accessToken) {
        AccessToken access = accessTokens.get(accessToken);
        if (access == null || !now.get().isBefore(access.expiresAt)) {
            return OptionalLong.empty();
        }
        synchronized (access.grant) {
            return access.grant.revoked ? OptionalLong.empty() : OptionalLong.of(access.grant.organisationId);
        }
    }

    Response deauthorize(RecordedRequest request) {
        if (!request.method().equals("POST")) {
            return HttpMessages.oauthError(405, "invalid_request", "use POST").withHeader("Allow", "POST");
        }
        Optional<String> token = request.header("Authorization").flatMap(HttpMessages::bearer);
        if (token.isEmpty() || organisationOf(token.get()).isEmpty()) {
            return HttpMessages.oauthError(401, "invalid_token", "unknown, expired or revoked access token")
                    .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        }
        revoke(accessTokens.get(token.get()).grant);
        deauthorizedTokens.add(token.get());
        deauthorizations.increment();
        return Response.empty(204);
    }

    private static void revoke(Grant grant) {
        synchronized (grant) {
            grant.revoked = true;
        }
    }

    boolean wasDeauthorized(String accessToken) {
        return deauthorizedTokens.contains(accessToken);
    }

    boolean isActive(String accessToken) {
        return organisationOf(accessToken).isPresent();
    }

    /** Whether {@code refreshToken} is its grant's current one and the grant is not revoked. */
    boolean isCurrentRefreshToken(String refreshToken) {
        Grant grant = refreshTokens.get(refreshToken);
        if (grant == null) {
            return false;
        }
        synchronized (grant) {
            return !grant.revoked && refreshToken.equals(grant.refreshToken);
        }
    }

    long activeGrantCount() {
        return grants.values().stream().filter(grant -> {
            synchronized (grant) {
                return !grant.revoked;
            }
        }).count();
    }

    private String randomToken(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return BASE64URL.encodeToString(value);
    }

    private static final class PendingCode {
        final String clientId;
        final String redirectUri;
        final String challenge;
        final String method;
        final String scope;
        final long organisationId;
        final Instant expiresAt;
        boolean burnt;
        Grant redeemedBy;

        PendingCode(String clientId, String redirectUri, String challenge, String method, String scope,
                    long organisationId, Instant expiresAt) {
            this.clientId = clientId;
            this.redirectUri = redirectUri;
            this.challenge = challenge;
            this.method = method;
            this.scope = scope;
            this.organisationId = organisationId;
            this.expiresAt = expiresAt;
        }
    }

    private static final class Grant {
        final long id;
        final String clientId;
        final long organisationId;
        final String scope;
        boolean revoked;
        String refreshToken;

        Grant(long id, String clientId, long organisationId, String scope) {
            this.id = id;
            this.clientId = clientId;
            this.organisationId = organisationId;
            this.scope = scope;
        }
    }

    private record AccessToken(String value, Grant grant, Instant expiresAt, Duration lifetime) {
        @Override
        public String toString() {
            return "AccessToken[<redacted>, expiresAt=" + expiresAt + "]";
        }
    }
}
