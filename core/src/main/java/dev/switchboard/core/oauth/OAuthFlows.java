package dev.switchboard.core.oauth;

import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppStore;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
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
 * <ul>
 *   <li>Connect tokens and states carry 256 random bits, last {@link #CONNECT_TOKEN_LIFETIME} and
 *       {@link #FLOW_LIFETIME}, and are stored only as hashes, so every instance shares them. A state is single use.
 *       A connect link is used up when a connection is <em>completed</em> through it, not when it is opened:
 *       corporate mail gateways open every link in a message before the person does. Until then each opening
 *       starts a fresh flow (new state, verifier and cookie), at most {@link #MAX_FLOWS_PER_LINK} per link, so
 *       whoever holds a link cannot make the server keep rows without bound.</li>
 *   <li>A link may name the Dialpad organisation it is for; the flow carries it to the callback
 *       ({@link LinkBinding}), where {@link DialpadConnections#finish} refuses another organisation.</li>
 *   <li>A state is bound to the browser that started the flow through {@link BrowserBinding}.</li>
 *   <li>A state presented with a missing or wrong cookie is <em>used up</em> anyway: the flow row is consumed before
 *       the cookie is compared. A mismatch means the callback URL travelled to another browser (leak or login CSRF);
 *       burning the flow means neither that browser nor a replay of the URL can finish it, and the victim simply
 *       starts again. The cost, that someone holding a leaked state can cancel a flow, is the lesser risk.</li>
 * </ul>
 *
 * <p>Thread-safe when its ports are. Store failures propagate as
 * {@link dev.switchboard.core.StoreUnavailableException}; every expected outcome is a value.
 */
public final class OAuthFlows {
    /** How long a pending flow's state stays valid. */
    public static final Duration FLOW_LIFETIME = Duration.ofMinutes(15);
    /** How long a connect link stays valid. */
    public static final Duration CONNECT_TOKEN_LIFETIME = Duration.ofMinutes(15);
    /**
     * Most flows one connect link starts. A mail gateway and a person clicking a few times need a handful; the bound
     * keeps a leaked link from creating rows without end (a successful start is not an OAuth failure, so the
     * failure rate limit does not count it).
     */
    public static final int MAX_FLOWS_PER_LINK = 20;

    /** Longest state or token looked up; anything longer cannot be one of ours and is not hashed. */
    private static final int MAX_SECRET_LENGTH = 512;
    private static final String ACTOR_INTERNAL = "internal_api";
    private static final String ACTOR_BROWSER = "browser";

    private final AppStore apps;
    private final ConnectTokenStore connectTokens;
    private final OAuthFlowStore flows;
    private final BrowserBinding binding;
    private final Supplier<PkcePair> pkce;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random;

    private OAuthFlows(AppStore apps, ConnectTokenStore connectTokens, OAuthFlowStore flows, BrowserBinding binding,
                       Supplier<PkcePair> pkce, AuditLog audit, Clock clock, SecureRandom random) {
        this.apps = apps;
        this.connectTokens = connectTokens;
        this.flows = flows;
        this.binding = binding;
        this.pkce = pkce;
        this.audit = audit;
        this.clock = clock;
        this.random = random;
    }

    /**
     * The service over its ports. {@code pkce} yields a fresh verifier and S256 challenge per flow (RFC 7636
     * section 4.1: at least 256 bits of entropy).
     */
    public static OAuthFlows create(AppStore apps, ConnectTokenStore connectTokens, OAuthFlowStore flows,
                                    BrowserBinding binding, Supplier<PkcePair> pkce, AuditLog audit, Clock clock,
                                    SecureRandom random) {
        return new OAuthFlows(Objects.requireNonNull(apps, "apps"),
                Objects.requireNonNull(connectTokens, "connectTokens"), Objects.requireNonNull(flows, "flows"),
                Objects.requireNonNull(binding, "binding"), Objects.requireNonNull(pkce, "pkce"),
                Objects.requireNonNull(audit, "audit"), Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(random, "random"));
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
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(organisationId, "organisationId");
        Objects.requireNonNull(clientIp, "clientIp");
        Optional<App> app = apps.find(appId);
        if (app.isEmpty()) {
            return new ConnectLinkIssue.AppNotFound();
        }
        if (!app.get().active()) {
            return new ConnectLinkIssue.AppInactive();
        }
        purgeExpired();
        Instant now = clock.instant();
        Instant expiresAt = now.plus(CONNECT_TOKEN_LIFETIME);
        String token = RandomSecrets.next(random);
        ConnectToken stored = new ConnectToken(SecretHash.of(token), appId, now, expiresAt, organisationId);
        connectTokens.save(stored);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("expires_at", expiresAt.toString());
        stored.organisationId().ifPresent(organisation -> details.put("organisation_id", organisation));
        audit.record(new AuditEvent(now, AuditEventType.CONNECT_LINK_CREATED, Optional.of(appId), actor,
                clientIp, details));
        return new ConnectLinkIssue.Issued(appId, token, expiresAt, stored.organisationId());
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
        Instant now = clock.instant();
        Optional<ConnectToken> link = isPlausibleSecret(connectToken)
                ? connectTokens.open(appId, SecretHash.of(connectToken), now, MAX_FLOWS_PER_LINK)
                : Optional.empty();
        if (link.isEmpty()) {
            return new FlowStart.InvalidConnectToken();
        }
        String state = RandomSecrets.next(random);
        BrowserBinding.Issued cookie = binding.issue();
        PkcePair codes = Objects.requireNonNull(pkce.get(), "the PKCE generator returned null");
        Instant expiresAt = now.plus(FLOW_LIFETIME);
        flows.save(new OAuthFlow(SecretHash.of(state), appId, cookie.nonceHash(), codes.verifier(), now, expiresAt,
                link.get().binding()));
        audit.record(new AuditEvent(now, AuditEventType.OAUTH_INITIATED, Optional.of(appId), ACTOR_BROWSER,
                clientIp, Map.of("expires_at", expiresAt.toString())));
        return new FlowStart.Started(appId, state, cookie.cookieValue(), codes.challenge(), expiresAt);
    }

    /**
     * Resumes a flow at the callback ({@code GET /auth/dialpad/callback}) from its {@code state} and the
     * browser-binding cookie (either null when absent). A state that names a pending flow is used up whatever the
     * outcome; see the class comment. A browser mismatch is audited as {@code oauth_state_mismatch}. A flow whose
     * link another flow has already completed a connection through is {@link FlowCompletion.LinkUsed}, before any
     * code is exchanged; {@link DialpadConnections#finish} settles the race of flows that get past this check
     * together.
     */
    public FlowCompletion complete(String state, String cookieValue, Optional<String> clientIp) {
        Objects.requireNonNull(clientIp, "clientIp");
        if (state == null || state.isBlank()) {
            return new FlowCompletion.MissingState();
        }
        if (!isPlausibleSecret(state)) {
            return new FlowCompletion.UnknownOrUsedState();
        }
        Instant now = clock.instant();
        OAuthFlowStore.Consumption consumption = flows.consume(SecretHash.of(state), now);
        if (consumption instanceof OAuthFlowStore.Consumption.Expired expired) {
            return new FlowCompletion.Expired(expired.appId());
        }
        if (!(consumption instanceof OAuthFlowStore.Consumption.Pending pending)) {
            return new FlowCompletion.UnknownOrUsedState();
        }
        OAuthFlow flow = pending.flow();
        if (flow.isExpiredAt(now)) {
            // a store answers by its own reading of the row; the service's clock has the last word
            return new FlowCompletion.Expired(flow.appId());
        }
        Optional<FlowCompletion.Reason> mismatch = mismatch(binding.verify(cookieValue), flow);
        if (mismatch.isPresent()) {
            audit.record(new AuditEvent(now, AuditEventType.OAUTH_STATE_MISMATCH, Optional.of(flow.appId()),
                    ACTOR_BROWSER, clientIp, Map.of("reason", mismatch.get().name().toLowerCase(Locale.ROOT))));
            return new FlowCompletion.BrowserMismatch(flow.appId(), mismatch.get());
        }
        if (!connectTokens.canComplete(flow.link().tokenHash())) {
            return new FlowCompletion.LinkUsed(flow.appId());
        }
        return new FlowCompletion.Resumed(flow.appId(), flow.verifier(), flow.link());
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

    private static Optional<FlowCompletion.Reason> mismatch(BrowserBinding.Check check, OAuthFlow flow) {
        if (check instanceof BrowserBinding.Check.Bound bound) {
            return bound.nonceHash().matches(flow.browserNonceHash())
                    ? Optional.empty()
                    : Optional.of(FlowCompletion.Reason.OTHER_FLOW);
        }
        BrowserBinding.Check.Unbound unbound = (BrowserBinding.Check.Unbound) check;
        return Optional.of(unbound.reason() == BrowserBinding.Check.Reason.MISSING
                ? FlowCompletion.Reason.NO_COOKIE
                : FlowCompletion.Reason.FORGED_COOKIE);
    }

    private static boolean isPlausibleSecret(String value) {
        return value != null && !value.isBlank() && value.length() <= MAX_SECRET_LENGTH;
    }
}
