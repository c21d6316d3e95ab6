package dev.switchboard.core.oauth;

import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppDirectory;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The browser side of connecting an app to Dialpad (RFC 6749 section 4.1 with PKCE, RFC 7636): issuing connect
 * links, starting a flow, and resuming it at the callback. Exchanging the code is the caller's next step.
 *
 * <p>It composes two parts an embedder may also use alone: {@link OAuthStates}, the single-use state bound to the
 * browser and the PKCE verifier, and {@link ConnectLinks}, Switchboard's policy of who may start a flow. What it adds
 * is the app checks, the audit, and the rule that a flow finishes only while its link is unused.
 *
 * <ul>
 *   <li>States and connect tokens carry 256 random bits, last {@link #FLOW_LIFETIME} and
 *       {@link #CONNECT_TOKEN_LIFETIME}, and are stored only as hashes, so every instance shares them. A state is
 *       single use. A connect link is used up when a connection is <em>completed</em> through it, not when it is
 *       opened (see {@link ConnectLinks}); each opening starts a fresh flow (new state, verifier and cookie), at most
 *       {@link #MAX_FLOWS_PER_LINK} per link.</li>
 *   <li>A link may name the Dialpad organisation it is for; the flow carries it to the callback
 *       ({@link LinkBinding}), where {@link DialpadConnections#finish} refuses another organisation.</li>
 *   <li>A state is bound to the browser that started the flow through {@link BrowserBinding}; a state presented with
 *       a missing or wrong cookie is used up anyway (see {@link OAuthStates}).</li>
 * </ul>
 *
 * <p>Thread-safe when its ports are. Store failures propagate as
 * {@link dev.switchboard.core.StoreUnavailableException}; every expected outcome is a value.
 */
public final class OAuthFlows {
    /** How long a pending flow's state stays valid. */
    public static final Duration FLOW_LIFETIME = OAuthStates.DEFAULT_LIFETIME;
    /** How long a connect link stays valid. */
    public static final Duration CONNECT_TOKEN_LIFETIME = ConnectLinks.LIFETIME;
    /** Most flows one connect link starts (see {@link ConnectLinks#MAX_FLOWS_PER_LINK}). */
    public static final int MAX_FLOWS_PER_LINK = ConnectLinks.MAX_FLOWS_PER_LINK;

    private static final String ACTOR_INTERNAL = "internal_api";
    private static final String ACTOR_BROWSER = "browser";

    private final AppDirectory apps;
    private final ConnectLinks links;
    private final ConnectTokenStore connectTokens;
    private final OAuthFlowStore flows;
    private final OAuthStates<FlowOrigin> states;
    private final AuditLog audit;
    private final Clock clock;

    private OAuthFlows(AppDirectory apps, ConnectLinks links, ConnectTokenStore connectTokens, OAuthFlowStore flows,
                       OAuthStates<FlowOrigin> states, AuditLog audit, Clock clock) {
        this.apps = apps;
        this.links = links;
        this.connectTokens = connectTokens;
        this.flows = flows;
        this.states = states;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * The service over its ports. {@code pkce} yields a fresh verifier per flow (RFC 7636 section 4.1: at least 256
     * bits of entropy), e.g. {@code Pkce.using(random)::newVerifier}.
     */
    public static OAuthFlows create(AppDirectory apps, ConnectTokenStore connectTokens, OAuthFlowStore flows,
                                    BrowserBinding binding, Supplier<Pkce.Verifier> pkce, AuditLog audit, Clock clock,
                                    SecureRandom random) {
        Objects.requireNonNull(apps, "apps");
        Objects.requireNonNull(connectTokens, "connectTokens");
        Objects.requireNonNull(flows, "flows");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(clock, "clock");
        ConnectLinks links = ConnectLinks.create(apps, connectTokens, audit, clock, random);
        OAuthStates<FlowOrigin> states = OAuthStates.create(new FlowStateStore(flows), binding, pkce, clock, random,
                FLOW_LIFETIME);
        return new OAuthFlows(apps, links, connectTokens, flows, states, audit, clock);
    }

    /**
     * Issues a connect token for an existing, active app ({@code POST /internal/apps/{id}/connect-link}), audited as
     * {@code connect_link_created}. With {@code organisationId} (checked with
     * {@link Connection#validOrganisationId}), only a Dialpad organisation with that id can be connected through it.
     * Issuing a link first {@link #purgeExpired purges} what has expired, so the flow and link tables hold no more
     * than the links of the last half hour and their flows.
     */
    public ConnectLinkIssue createConnectLink(UUID appId, Optional<String> organisationId, Optional<String> clientIp) {
        return createConnectLink(appId, organisationId, clientIp, ACTOR_INTERNAL);
    }

    /** As {@link #createConnectLink(UUID, Optional, Optional)}, audited as done by {@code actor} (the command line). */
    public ConnectLinkIssue createConnectLink(UUID appId, Optional<String> organisationId, Optional<String> clientIp,
                                              String actor) {
        return links.issue(appId, organisationId, clientIp, actor, this::purgeExpired);
    }

    /**
     * Starts a flow ({@code GET /auth/dialpad/connect}); the caller has already checked that {@code app_id} is a
     * UUID. Checks, in the contract's order, that the app exists, is active, and that {@code connectToken} (null
     * when absent) is valid for it: unexpired, not used by a completed connection, and below
     * {@link #MAX_FLOWS_PER_LINK} flows. Each call that passes starts its own flow, bound to the browser that made
     * it; the link stays usable until a connection completes through it. Audited as {@code oauth_initiated}.
     */
    public FlowStart begin(UUID appId, String connectToken, Optional<String> clientIp) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(clientIp, "clientIp");
        Optional<App> app = apps.find(appId);
        if (app.isEmpty()) {
            return new FlowStart.AppNotFound();
        }
        if (!app.get().active()) {
            return new FlowStart.AppInactive();
        }
        Optional<LinkBinding> link = links.open(appId, connectToken, clock.instant());
        if (link.isEmpty()) {
            return new FlowStart.InvalidConnectToken();
        }
        OAuthStates.Begun begun = states.begin(new FlowOrigin(appId, link.get()));
        audit.record(new AuditEvent(begun.expiresAt().minus(FLOW_LIFETIME), AuditEventType.OAUTH_INITIATED,
                Optional.of(appId), ACTOR_BROWSER, clientIp, Map.of("expires_at", begun.expiresAt().toString())));
        return new FlowStart.Started(appId, begun.state(), begun.cookieValue(), begun.codeChallenge(),
                begun.expiresAt());
    }

    /**
     * Resumes a flow at the callback ({@code GET /auth/dialpad/callback}) from its {@code state} and the
     * browser-binding cookie (either null when absent). A state that names a pending flow is used up whatever the
     * outcome; see {@link OAuthStates}. A browser mismatch is audited as {@code oauth_state_mismatch}. A flow whose
     * link another flow has already completed a connection through is {@link FlowCompletion.LinkUsed}, before any
     * code is exchanged; {@link DialpadConnections#finish} settles the race of flows that get past this check
     * together.
     */
    public FlowCompletion complete(String state, String cookieValue, Optional<String> clientIp) {
        Objects.requireNonNull(clientIp, "clientIp");
        StateCheck<FlowOrigin> check = states.finish(state, cookieValue);
        if (check instanceof StateCheck.Resumed<FlowOrigin> resumed) {
            FlowOrigin origin = resumed.context();
            if (!links.canComplete(origin.link())) {
                return new FlowCompletion.LinkUsed(origin.appId());
            }
            return new FlowCompletion.Resumed(origin.appId(), resumed.verifier().value(), origin.link());
        }
        if (check instanceof StateCheck.BrowserMismatch<FlowOrigin> mismatch) {
            FlowCompletion.Reason reason = reason(mismatch.reason());
            audit.record(new AuditEvent(clock.instant(), AuditEventType.OAUTH_STATE_MISMATCH,
                    Optional.of(mismatch.context().appId()), ACTOR_BROWSER, clientIp,
                    Map.of("reason", reason.name().toLowerCase(Locale.ROOT))));
            return new FlowCompletion.BrowserMismatch(mismatch.context().appId(), reason);
        }
        if (check instanceof StateCheck.Expired<FlowOrigin> expired) {
            return new FlowCompletion.Expired(expired.context().appId());
        }
        if (check instanceof StateCheck.MissingState) {
            return new FlowCompletion.MissingState();
        }
        if (check instanceof StateCheck.UnknownOrUsed) {
            return new FlowCompletion.UnknownOrUsedState();
        }
        throw new IllegalStateException("unhandled state check " + check.getClass().getSimpleName());
    }

    /**
     * Deletes expired flows and connect tokens; for a periodic task. Returns how many rows went. A link is kept
     * {@link #FLOW_LIFETIME} past its expiry, as long as the last flow it started may still complete through it.
     */
    public int purgeExpired() {
        return purgeExpired(flows, connectTokens, clock.instant());
    }

    /**
     * Deletes from {@code flows} and {@code connectTokens} what has expired at {@code now}, with the same rule as
     * {@link #purgeExpired()}: the retention job runs it without a whole flow service. Returns how many rows went.
     */
    public static int purgeExpired(OAuthFlowStore flows, ConnectTokenStore connectTokens, Instant now) {
        return flows.purgeExpired(now) + connectTokens.purgeExpired(now.minus(FLOW_LIFETIME));
    }

    private static FlowCompletion.Reason reason(StateCheck.Reason reason) {
        switch (reason) {
            case NO_COOKIE:
                return FlowCompletion.Reason.NO_COOKIE;
            case FORGED_COOKIE:
                return FlowCompletion.Reason.FORGED_COOKIE;
            case OTHER_FLOW:
                return FlowCompletion.Reason.OTHER_FLOW;
            default:
                throw new IllegalStateException("unhandled mismatch reason " + reason);
        }
    }
}
