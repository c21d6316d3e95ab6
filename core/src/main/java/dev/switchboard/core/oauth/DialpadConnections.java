package dev.switchboard.core.oauth;

import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppDirectory;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of connecting an app to Dialpad and of disconnecting it: what happens after
 * {@link OAuthFlows#complete} has resumed a flow at the callback, and what {@code POST /auth/dialpad/disconnect}
 * does.
 *
 * <ul>
 *   <li>{@link #finish}: exchanges the authorization code with the flow's PKCE verifier (RFC 6749 section 4.1.3,
 *       RFC 7636 section 4.5), checks the token response ({@link TokenResponseCheck#ofExchange}), reads the
 *       organisation id ({@code GET /api/v2/company}: the token response has none), refuses an organisation other
 *       than the one the connect link names, uses the link up (only one flow of a link ever completes), and stores
 *       the connection, replacing any previous one. Audited as {@code oauth_exchanged} or
 *       {@code oauth_exchange_failed}. A grant obtained but not stored (wrong organisation, link used up meanwhile)
 *       is revoked at once, so no usable grant lingers at Dialpad; so is the grant of a replaced connection, after
 *       the new one is stored. Each such revocation is audited as {@code oauth_deauthorized} with its reason; a
 *       revocation Dialpad does not confirm is logged and audited and changes no outcome.</li>
 *   <li>An organisation that becomes connected to a second app is audited as {@code organisation_shared}, once
 *       for each app connected to it: events of a shared organisation reach every one of those apps, which an
 *       operator must be able to see and explain.</li>
 *   <li>{@link #declined}: the authorization server sent the browser back with an {@code error} (RFC 6749 section
 *       4.1.2.1), typically {@code access_denied}; audited as {@code oauth_exchange_failed}.</li>
 *   <li>{@link #disconnect}: revokes the grant at Dialpad with the connection's current access token and deletes
 *       the tokens whatever Dialpad answers, so a disconnect always takes effect on our side. Audited as
 *       {@code oauth_deauthorized} with whether Dialpad confirmed the revocation.</li>
 * </ul>
 *
 * <p>Log lines and audit details carry ids, error codes and reasons, never a token, code or verifier. Every
 * expected outcome is a value; store failures propagate as {@link dev.switchboard.core.StoreUnavailableException}.
 * Thread-safe when its ports are.
 */
public final class DialpadConnections {
    /** How long a disconnect holds the refresh lease, so no refresh rotates the token being revoked. */
    static final Duration DISCONNECT_LEASE = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(DialpadConnections.class);
    private static final String ACTOR_BROWSER = "browser";
    private static final String ACTOR_INTERNAL = "internal_api";
    private static final String ACCESS_DENIED = "access_denied";
    private static final Pattern SAFE_ERROR = Pattern.compile("[a-z0-9_]{1,64}");

    private final DialpadAuthorizationServer dialpad;
    private final ConnectionStore connections;
    private final ConnectLinkCompletion connectTokens;
    private final AppDirectory apps;
    private final AuditLog audit;
    private final RefreshPolicy policy;
    private final DialpadEnvironment environment;
    private final Clock clock;
    private final GrantRevocation revocations;

    private DialpadConnections(DialpadAuthorizationServer dialpad, ConnectionStore connections,
                               ConnectLinkCompletion connectTokens, AppDirectory apps, AuditLog audit,
                               RefreshPolicy policy, DialpadEnvironment environment, Clock clock) {
        this.dialpad = dialpad;
        this.connections = connections;
        this.connectTokens = connectTokens;
        this.apps = apps;
        this.audit = audit;
        this.policy = policy;
        this.environment = environment;
        this.clock = clock;
        this.revocations = new GrantRevocation(dialpad, audit, clock);
    }

    /**
     * The service for the Dialpad of {@code environment} (the one {@code dialpad} talks to); {@code policy} sets
     * when a new connection's first background refresh is due; {@code connectTokens} is where completing a
     * connection uses its connect link up.
     */
    public static DialpadConnections create(DialpadAuthorizationServer dialpad, ConnectionStore connections,
                                            ConnectLinkCompletion connectTokens, AppDirectory apps, AuditLog audit,
                                            RefreshPolicy policy, DialpadEnvironment environment, Clock clock) {
        return new DialpadConnections(Objects.requireNonNull(dialpad, "dialpad"),
                Objects.requireNonNull(connections, "connections"),
                Objects.requireNonNull(connectTokens, "connectTokens"), Objects.requireNonNull(apps, "apps"),
                Objects.requireNonNull(audit, "audit"), Objects.requireNonNull(policy, "policy"),
                Objects.requireNonNull(environment, "environment"), Objects.requireNonNull(clock, "clock"));
    }

    /** The Dialpad environment new connections are made with. */
    public DialpadEnvironment environment() {
        return environment;
    }

    /**
     * Finishes a resumed flow with {@code code} from the callback. The app must still exist and be active (it may
     * have been deactivated while the browser was at Dialpad); nothing is exchanged otherwise. When the flow's link
     * names an organisation and Dialpad's differs, the outcome is {@link ConnectOutcome.OrganisationMismatch};
     * when another flow of the same link has completed first, {@link ConnectOutcome.LinkUsed}: in both cases
     * nothing is stored and the grant just obtained is revoked. Dialpad's answers become outcomes; only a store
     * failure throws.
     */
    public ConnectOutcome finish(FlowCompletion.Resumed flow, String code, Optional<String> clientIp) {
        Objects.requireNonNull(flow, "flow");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(clientIp, "clientIp");
        UUID appId = flow.appId();
        Optional<App> app = apps.find(appId);
        if (app.isEmpty()) {
            return failed(appId, clientIp, "app_not_found", Map.of(), new ConnectOutcome.AppNotFound());
        }
        if (!app.get().active()) {
            return failed(appId, clientIp, "app_inactive", Map.of(), new ConnectOutcome.AppInactive());
        }

        TokenGrant grant = dialpad.exchange(code, flow.verifier());
        if (grant instanceof TokenGrant.Refused refused) {
            return failed(appId, clientIp, "exchange_refused", Map.of("error", refused.errorCode()),
                    new ConnectOutcome.ExchangeRefused(refused.errorCode()));
        }
        if (grant instanceof TokenGrant.Unavailable) {
            return failed(appId, clientIp, "dialpad_unavailable", Map.of("step", "token"),
                    new ConnectOutcome.DialpadUnavailable());
        }
        if (!(grant instanceof TokenGrant.Tokens issued)) {
            throw new IllegalStateException("unhandled token grant " + grant.getClass().getSimpleName());
        }
        Instant receivedAt = clock.instant();
        TokenResponseCheck check = TokenResponseCheck.ofExchange(issued.response());
        if (check instanceof TokenResponseCheck.Invalid invalid) {
            return failed(appId, clientIp, invalid.failure().code(), Map.of(),
                    new ConnectOutcome.InvalidTokenResponse(invalid.failure()));
        }
        if (!(check instanceof TokenResponseCheck.Valid tokens)) {
            throw new IllegalStateException("unhandled token response check " + check.getClass().getSimpleName());
        }

        CompanyLookup lookup = dialpad.companyId(tokens.accessToken());
        if (lookup instanceof CompanyLookup.Refused refused) {
            return failed(appId, clientIp, "organisation_lookup_refused", Map.of("error", refused.errorCode()),
                    new ConnectOutcome.OrganisationLookupFailed());
        }
        if (lookup instanceof CompanyLookup.Unavailable) {
            return failed(appId, clientIp, "dialpad_unavailable", Map.of("step", "company"),
                    new ConnectOutcome.DialpadUnavailable());
        }
        if (!(lookup instanceof CompanyLookup.Found found)) {
            throw new IllegalStateException("unhandled company lookup " + lookup.getClass().getSimpleName());
        }
        String organisationId = found.organisationId();

        if (flow.link().refuses(organisationId)) {
            String expected = flow.link().organisationId().orElseThrow();
            revocations.revoke(appId, organisationId, tokens.accessToken(), "organisation_mismatch", clientIp);
            return failed(appId, clientIp, "organisation_mismatch",
                    Map.of("organisation_id", organisationId, "expected_organisation_id", expected),
                    new ConnectOutcome.OrganisationMismatch(expected, organisationId));
        }
        // the link is used up before the connection is stored: of two flows of one link racing here, exactly one
        // gets past; a store failure in between costs the operator a new link, never a second connection
        if (!connectTokens.complete(flow.link().tokenHash(), clock.instant())) {
            revocations.revoke(appId, organisationId, tokens.accessToken(), "connect_link_used", clientIp);
            return failed(appId, clientIp, "connect_link_used", Map.of("organisation_id", organisationId),
                    new ConnectOutcome.LinkUsed());
        }

        Instant expiresAt = tokens.expiresAt(receivedAt);
        Optional<Connection> replaced = connections.save(Connection.established(appId, organisationId, tokens,
                environment, receivedAt, policy.dueAt(receivedAt, expiresAt)));
        audit.record(new AuditEvent(clock.instant(), AuditEventType.OAUTH_EXCHANGED, Optional.of(appId),
                ACTOR_BROWSER, clientIp, Map.of("organisation_id", organisationId, "environment",
                environment.code(), "expires_at", expiresAt.toString(), "reconnected",
                Boolean.toString(replaced.isPresent()))));
        LOG.atInfo().addKeyValue("event", AuditEventType.OAUTH_EXCHANGED.code()).addKeyValue("app_id", appId)
                .addKeyValue("organisation_id", organisationId).addKeyValue("environment", environment.code())
                .addKeyValue("expires_at", expiresAt).log("Dialpad connected");
        if (replaced.map(old -> !old.organisationId().equals(organisationId)).orElse(true)) {
            auditSharing(appId, organisationId, clientIp);
        }
        // after the new grant is stored, so that a failure here never leaves the app without a connection
        replaced.ifPresent(old -> revocations.revoke(appId, old.organisationId(), old.accessToken(), "reconnected",
                clientIp));
        return new ConnectOutcome.Connected(appId, organisationId, environment);
    }

    /**
     * Audits {@code organisation_shared} for every app connected to {@code organisationId} when {@code appId}, just
     * connected to it, is not the only one.
     */
    private void auditSharing(UUID appId, String organisationId, Optional<String> clientIp) {
        List<String> sharing = connections.findByOrganisation(organisationId).stream()
                .map(summary -> summary.appId().toString()).toList();
        if (sharing.size() < 2) {
            return;
        }
        Instant now = clock.instant();
        for (String member : sharing) {
            List<String> others = sharing.stream().filter(other -> !other.equals(member)).toList();
            audit.record(new AuditEvent(now, AuditEventType.ORGANISATION_SHARED, Optional.of(UUID.fromString(member)),
                    ACTOR_BROWSER, clientIp, Map.of("organisation_id", organisationId, "connected_app_id",
                    appId.toString(), "shared_with_app_ids", String.join(",", others))));
        }
        LOG.atWarn().addKeyValue("event", AuditEventType.ORGANISATION_SHARED.code()).addKeyValue("app_id", appId)
                .addKeyValue("organisation_id", organisationId).addKeyValue("app_ids", String.join(",", sharing))
                .log("A Dialpad organisation is now connected to {} apps; its events reach each of them",
                        sharing.size());
    }

    /**
     * Records that Dialpad sent the browser back with {@code error} instead of a code (RFC 6749 section 4.1.2.1)
     * for the resumed flow of {@code appId}. {@code error} is untrusted query text: only a short snake_case value
     * is kept, anything else is recorded as {@code invalid}.
     */
    public ConnectOutcome declined(UUID appId, String error, Optional<String> clientIp) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(clientIp, "clientIp");
        String safe = error != null && SAFE_ERROR.matcher(error).matches() ? error : "invalid";
        if (ACCESS_DENIED.equals(safe)) {
            return failed(appId, clientIp, "consent_denied", Map.of(), new ConnectOutcome.ConsentDenied());
        }
        return failed(appId, clientIp, "authorization_error", Map.of("error", safe),
                new ConnectOutcome.AuthorizationFailed(safe));
    }

    /**
     * Disconnects {@code appId}: revokes the grant at Dialpad ({@code POST /oauth2/deauthorize} with the current
     * access token) and deletes the connection whether or not Dialpad confirmed. The refresh lease is taken first
     * when it is free, so a background refresh cannot rotate the access token between reading and revoking it.
     * Returns {@link DisconnectOutcome.NotConnected} when there is no connection.
     */
    public DisconnectOutcome disconnect(UUID appId, Optional<String> clientIp) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(clientIp, "clientIp");
        Instant now = clock.instant();
        String owner = "disconnect:" + UUID.randomUUID();
        // when a refresher holds the lease, go on with the row as read: once it is deleted the refresher's
        // recordRefreshed finds no row and changes nothing
        Optional<Connection> connection = connections.tryLease(appId, owner, now, DISCONNECT_LEASE)
                .or(() -> connections.find(appId));
        if (connection.isEmpty()) {
            return new DisconnectOutcome.NotConnected();
        }
        Revocation revocation = dialpad.deauthorize(connection.get().accessToken());
        boolean revoked = revocation instanceof Revocation.Revoked;
        boolean deleted = connections.delete(appId);
        if (!deleted) {
            // another disconnect won the race; it has audited the deletion
            return new DisconnectOutcome.NotConnected();
        }
        Map<String, String> details = GrantRevocation.details(connection.get().organisationId(), revocation);
        audit.record(new AuditEvent(clock.instant(), AuditEventType.OAUTH_DEAUTHORIZED, Optional.of(appId),
                ACTOR_INTERNAL, clientIp, details));
        LOG.atInfo().addKeyValue("event", AuditEventType.OAUTH_DEAUTHORIZED.code()).addKeyValue("app_id", appId)
                .addKeyValue("organisation_id", connection.get().organisationId()).addKeyValue("revoked", revoked)
                .log(revoked ? "Dialpad disconnected and the grant revoked"
                        : "Dialpad disconnected; Dialpad did not confirm the revocation");
        return new DisconnectOutcome.Disconnected(appId, connection.get().organisationId(), revoked);
    }

    private ConnectOutcome failed(UUID appId, Optional<String> clientIp, String reason, Map<String, String> extra,
                                  ConnectOutcome outcome) {
        Map<String, String> details = new LinkedHashMap<>(extra);
        details.put("reason", reason);
        audit.record(new AuditEvent(clock.instant(), AuditEventType.OAUTH_EXCHANGE_FAILED, Optional.of(appId),
                ACTOR_BROWSER, clientIp, details));
        LOG.atWarn().addKeyValue("event", AuditEventType.OAUTH_EXCHANGE_FAILED.code()).addKeyValue("app_id", appId)
                .addKeyValue("reason", reason).addKeyValue("error", extra.getOrDefault("error", ""))
                .log("Dialpad connection failed: {}", reason);
        return outcome;
    }
}
