package dev.switchboard.http;

import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppStore;
import dev.switchboard.core.oauth.DialpadAuthorizationServer;
import dev.switchboard.core.oauth.DialpadConnections;
import dev.switchboard.core.oauth.ConnectOutcome;
import dev.switchboard.core.oauth.DisconnectOutcome;
import dev.switchboard.core.oauth.FlowCompletion;
import dev.switchboard.core.oauth.FlowStart;
import dev.switchboard.core.oauth.OAuthFlows;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The Dialpad OAuth routes: connect, callback and disconnect.
 *
 * <h2>{@code GET /auth/dialpad/connect?app_id=…&connect_token=…}</h2>
 * Checks in the contract's order: {@code app_id} missing or not a UUID 400 ({@code missing_app_id},
 * {@code invalid_app_id}); no such app 404 {@code app_not_found}; inactive 403 {@code app_inactive}; connect token
 * missing, unknown, expired, for another app, used by a completed connection, or past
 * {@link OAuthFlows#MAX_FLOWS_PER_LINK} flows 401 {@code invalid_connect_token}. Opening a link does not use it up
 * (mail gateways open links before people do): each valid request starts its own flow. Then 302 to Dialpad's
 * authorize URL (state, S256 challenge, scopes) with the browser-binding cookie: HttpOnly, SameSite=Lax, Path=/,
 * Max-Age 900; in production also Secure and named {@code __Host-switchboard_oauth} (else
 * {@code switchboard_oauth}).
 *
 * <h2>{@code GET /auth/dialpad/callback?code=…&state=…} or {@code ?error=…&state=…}</h2>
 * Every answer clears the cookie. State first (a state naming a pending flow is used up whatever follows):
 * missing 400 {@code missing_state}; unknown or already used 400 {@code invalid_state}; expired 400
 * {@code expired_state}; from another browser (no cookie, forged cookie, cookie of another flow) 400
 * {@code state_mismatch} (400 like the predecessor's CSRF answer: the request, not a credential, is wrong); its
 * connect link already used by another flow's completed connection 401 {@code invalid_connect_token}. Then
 * {@code error=access_denied} 400 {@code consent_denied}, another {@code error} 400 {@code authorization_failed};
 * no {@code code} 400 {@code missing_code}; the app gone 404 {@code app_not_found} or deactivated 403
 * {@code app_inactive}. Dialpad's failures are 502 with our own sentence, never Dialpad's body: code refused
 * {@code token_exchange_failed}; unreachable or 5xx {@code dialpad_unavailable}; unusable token response the
 * failure's code, e.g. {@code missing_refresh_token} whose message names the {@code offline_access} scope;
 * company lookup refused {@code organisation_lookup_failed}. The organisation is not the one the connect link
 * names 403 {@code organisation_mismatch}; another flow of the same link completed meanwhile 401
 * {@code invalid_connect_token} (in both, nothing is stored and the new grant is revoked). Success: 200
 * {@code {"message": "Dialpad connected", "app_id", "environment"}}, or 302 to {@code CONNECT_SUCCESS_URL}.
 *
 * <h2>{@code POST /auth/dialpad/disconnect/{app_id}}</h2>
 * Internal bearer auth (401/403), then {@code app_id} not a UUID 400 {@code invalid_app_id}; not connected 404
 * {@code not_connected}; else 200 {@code {"message", "app_id", "revoked": true|false}}.
 *
 * <p>Nothing here logs a query string, state, code, verifier, token or cookie value. Thread-safe.
 */
public final class OAuthRoutes implements RouteGroup {
    /** The cookie's lifetime in seconds: the flow's 15 minutes. */
    static final long COOKIE_MAX_AGE_SECONDS = OAuthFlows.FLOW_LIFETIME.toSeconds();
    static final String COOKIE_NAME = "switchboard_oauth";
    static final String SECURE_COOKIE_NAME = "__Host-switchboard_oauth";

    private final OAuthFlows flows;
    private final DialpadConnections connections;
    private final DialpadAuthorizationServer dialpad;
    private final InternalAuth internalAuth;
    private final Settings settings;

    private OAuthRoutes(OAuthFlows flows, DialpadConnections connections, DialpadAuthorizationServer dialpad,
                        InternalAuth internalAuth, Settings settings) {
        this.flows = flows;
        this.connections = connections;
        this.dialpad = dialpad;
        this.internalAuth = internalAuth;
        this.settings = settings;
    }

    /** The routes over the OAuth services; {@code dialpad} builds the authorize URL. */
    public static OAuthRoutes create(OAuthFlows flows, DialpadConnections connections,
                                     DialpadAuthorizationServer dialpad, InternalAuth internalAuth,
                                     Settings settings) {
        return new OAuthRoutes(Objects.requireNonNull(flows, "flows"),
                Objects.requireNonNull(connections, "connections"), Objects.requireNonNull(dialpad, "dialpad"),
                Objects.requireNonNull(internalAuth, "internalAuth"), Objects.requireNonNull(settings, "settings"));
    }

    /**
     * What the OAuth routes need from the configuration.
     *
     * @param scopes            the scopes requested at Dialpad ({@code DIALPAD_SCOPES})
     * @param secureCookie      true in production: the cookie is Secure and {@code __Host-}-prefixed
     * @param connectSuccessUrl where the browser goes after a successful connect; empty for a JSON answer
     */
    public record Settings(List<String> scopes, boolean secureCookie, Optional<URI> connectSuccessUrl) {
        public Settings {
            scopes = List.copyOf(scopes);
            Objects.requireNonNull(connectSuccessUrl, "connectSuccessUrl");
            if (scopes.isEmpty()) {
                throw new IllegalArgumentException("at least one scope is needed");
            }
        }
    }

    /**
     * The three OAuth paths when no Dialpad OAuth client is configured (a sandbox started without
     * {@code DIALPAD_SANDBOX_CLIENT_ID}). Each first makes the checks it can make without Dialpad, with the answers
     * of the configured routes: connect 400 for a missing or malformed {@code app_id}, 404 for an unknown app, 403
     * for an inactive one; disconnect 401/403 for the internal bearer, 400 for a malformed id. Then 503
     * {@code dialpad_not_configured}, so the operator sees why instead of a redirect to a Dialpad page that would
     * refuse an unknown client. The connect link is not checked: opening it would count a flow against its bound.
     */
    public static RouteGroup unconfigured(AppStore apps, InternalAuth internalAuth) {
        Objects.requireNonNull(apps, "apps");
        Objects.requireNonNull(internalAuth, "internalAuth");
        return routes -> {
            routes.get("/auth/dialpad/connect", ctx -> {
                App app = apps.find(queryAppId(ctx))
                        .orElseThrow(() -> Problems.notFound("app_not_found", "No app has this app_id."));
                if (!app.active()) {
                    throw Problems.forbidden("app_inactive", "This app is inactive.");
                }
                throw notConfigured();
            });
            routes.get("/auth/dialpad/callback", ctx -> {
                throw notConfigured();
            });
            routes.post("/auth/dialpad/disconnect/{app_id}", ctx -> {
                internalAuth.require(ctx);
                Requests.appIdPath(ctx);
                throw notConfigured();
            });
        };
    }

    private static Problem notConfigured() {
        return new Problem(503, "dialpad_not_configured", "No Dialpad OAuth client is configured on this server.",
                Map.of());
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get("/auth/dialpad/connect", this::connect);
        routes.get("/auth/dialpad/callback", this::callback);
        routes.post("/auth/dialpad/disconnect/{app_id}", this::disconnect);
    }

    /** The connect request's {@code app_id}: 400 when it is missing or not a UUID. */
    private static UUID queryAppId(Context ctx) {
        String rawAppId = ctx.queryParam("app_id");
        if (rawAppId == null || rawAppId.isBlank()) {
            throw Problems.badRequest("missing_app_id", "The app_id query parameter is required.");
        }
        return Requests.uuid(rawAppId)
                .orElseThrow(() -> Problems.badRequest("invalid_app_id", "app_id must be a UUID."));
    }

    private void connect(Context ctx) {
        UUID appId = queryAppId(ctx);
        FlowStart start = flows.begin(appId, ctx.queryParam("connect_token"), Requests.clientIp(ctx));
        if (start instanceof FlowStart.AppNotFound) {
            throw Problems.notFound("app_not_found", "No app has this app_id.");
        }
        if (start instanceof FlowStart.AppInactive) {
            throw Problems.forbidden("app_inactive", "This app is inactive.");
        }
        if (start instanceof FlowStart.InvalidConnectToken) {
            throw Problems.unauthorized("invalid_connect_token",
                    "The connect link is missing, expired, already used, opened too often or not for this app; "
                            + "ask for a new one.");
        }
        if (!(start instanceof FlowStart.Started started)) {
            throw new IllegalStateException("unexpected outcome " + start.getClass().getName());
        }
        URI authorize = dialpad.authorizeUrl(started.state(), started.codeChallenge(), settings.scopes());
        ctx.header("Set-Cookie", cookie(started.cookieValue(), COOKIE_MAX_AGE_SECONDS));
        ctx.redirect(authorize.toString(), HttpStatus.FOUND);
    }

    private void callback(Context ctx) {
        // cleared first, so that every answer below, error or not, carries it
        ctx.header("Set-Cookie", cookie("", 0));
        Optional<String> clientIp = Requests.clientIp(ctx);
        FlowCompletion completion = flows.complete(ctx.queryParam("state"), ctx.cookie(cookieName()), clientIp);
        if (completion instanceof FlowCompletion.MissingState) {
            throw Problems.badRequest("missing_state", "The state query parameter is required.");
        }
        if (completion instanceof FlowCompletion.UnknownOrUsedState) {
            throw Problems.badRequest("invalid_state",
                    "This authorization is unknown or was already used; start again with a new connect link.");
        }
        if (completion instanceof FlowCompletion.Expired) {
            throw Problems.badRequest("expired_state",
                    "This authorization took longer than 15 minutes; start again with a new connect link.");
        }
        if (completion instanceof FlowCompletion.BrowserMismatch) {
            throw Problems.badRequest("state_mismatch",
                    "This authorization was started in another browser; start again with a new connect link.");
        }
        if (completion instanceof FlowCompletion.LinkUsed) {
            throw linkUsed();
        }
        if (!(completion instanceof FlowCompletion.Resumed resumed)) {
            throw new IllegalStateException("unexpected outcome " + completion.getClass().getName());
        }

        String error = ctx.queryParam("error");
        ConnectOutcome outcome;
        if (error != null) {
            outcome = connections.declined(resumed.appId(), error, clientIp);
        } else {
            String code = ctx.queryParam("code");
            if (code == null || code.isBlank()) {
                throw Problems.badRequest("missing_code", "The code query parameter is required.");
            }
            outcome = connections.finish(resumed, code, clientIp);
        }
        if (!(outcome instanceof ConnectOutcome.Connected connected)) {
            throw problem(outcome);
        }
        if (settings.connectSuccessUrl().isPresent()) {
            ctx.redirect(settings.connectSuccessUrl().get().toString(), HttpStatus.FOUND);
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", "Dialpad connected");
        body.put("app_id", connected.appId());
        body.put("environment", connected.environment().code());
        ctx.json(body);
    }

    private static Problem problem(ConnectOutcome outcome) {
        if (outcome instanceof ConnectOutcome.ConsentDenied) {
            return Problems.badRequest("consent_denied",
                    "Access was not granted at Dialpad; the app is not connected.");
        }
        if (outcome instanceof ConnectOutcome.AuthorizationFailed failed) {
            return Problems.badRequest("authorization_failed",
                    "Dialpad did not authorize the connection (" + failed.error() + ").");
        }
        if (outcome instanceof ConnectOutcome.AppNotFound) {
            return Problems.notFound("app_not_found", "No app has this app_id.");
        }
        if (outcome instanceof ConnectOutcome.AppInactive) {
            return Problems.forbidden("app_inactive", "This app is inactive.");
        }
        if (outcome instanceof ConnectOutcome.OrganisationMismatch) {
            return Problems.forbidden("organisation_mismatch", "This connect link is for another Dialpad "
                    + "organisation; nothing was connected. Sign in to Dialpad with the organisation it was issued "
                    + "for, or ask for a new link.");
        }
        if (outcome instanceof ConnectOutcome.LinkUsed) {
            return linkUsed();
        }
        if (outcome instanceof ConnectOutcome.ExchangeRefused) {
            return Problems.badGateway("token_exchange_failed",
                    "Dialpad refused the authorization code; start again with a new connect link.");
        }
        if (outcome instanceof ConnectOutcome.InvalidTokenResponse invalid) {
            return Problems.badGateway(invalid.failure().code(), invalid.message());
        }
        if (outcome instanceof ConnectOutcome.OrganisationLookupFailed) {
            return Problems.badGateway("organisation_lookup_failed",
                    "Dialpad did not tell which organisation the authorization belongs to; please try again.");
        }
        return Problems.badGateway("dialpad_unavailable", "Dialpad could not be reached; please try again.");
    }

    private static Problem linkUsed() {
        return Problems.unauthorized("invalid_connect_token",
                "This connect link has already connected the app; nothing more was connected. Ask for a new link.");
    }

    private void disconnect(Context ctx) {
        internalAuth.require(ctx);
        UUID appId = Requests.appIdPath(ctx);
        DisconnectOutcome outcome = connections.disconnect(appId, Requests.clientIp(ctx));
        if (!(outcome instanceof DisconnectOutcome.Disconnected disconnected)) {
            throw Problems.notFound("not_connected", "This app is not connected to Dialpad.");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", disconnected.revoked() ? "Dialpad disconnected"
                : "Dialpad disconnected; Dialpad did not confirm the revocation, the tokens are deleted here");
        body.put("app_id", disconnected.appId());
        body.put("revoked", disconnected.revoked());
        ctx.json(body);
    }

    private String cookieName() {
        return settings.secureCookie() ? SECURE_COOKIE_NAME : COOKIE_NAME;
    }

    private String cookie(String value, long maxAgeSeconds) {
        // written by hand so every attribute (SameSite above all) is exactly as intended
        return cookieName() + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Lax"
                + (settings.secureCookie() ? "; Secure" : "");
    }
}
