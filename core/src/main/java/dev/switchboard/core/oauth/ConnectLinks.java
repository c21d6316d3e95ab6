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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Switchboard's connect links: the policy of who may start a flow, layered on top of {@link OAuthStates}. An
 * operator issues a link for an app; whoever holds it may start flows for that app until a connection is completed
 * through it.
 *
 * <ul>
 *   <li>Connect tokens carry 256 random bits, last {@link #LIFETIME}, and are stored only as hashes.</li>
 *   <li>A link is used up when a connection is <em>completed</em> through it, not when it is opened: corporate mail
 *       gateways open every link in a message before the person does. Until then each opening may start a flow, at
 *       most {@link #MAX_FLOWS_PER_LINK} per link, so whoever holds a link cannot make the server keep rows without
 *       bound.</li>
 *   <li>A link may name the Dialpad organisation it is for ({@link LinkBinding}).</li>
 * </ul>
 *
 * <p>Usage: {@link OAuthFlows} composes it with {@link OAuthStates}. Thread-safe when its ports are; store failures
 * propagate as {@link dev.switchboard.core.StoreUnavailableException}.
 */
public final class ConnectLinks {
    /** How long a connect link stays valid. */
    public static final Duration LIFETIME = Duration.ofMinutes(15);
    /**
     * Most flows one connect link starts. A mail gateway and a person clicking a few times need a handful; the bound
     * keeps a leaked link from creating rows without end (a successful start is not an OAuth failure, so the
     * failure rate limit does not count it).
     */
    public static final int MAX_FLOWS_PER_LINK = 20;

    /** Longest token looked up; anything longer cannot be one of ours and is not hashed. */
    private static final int MAX_TOKEN_LENGTH = 512;

    private final AppDirectory apps;
    private final ConnectTokenStore tokens;
    private final AuditLog audit;
    private final Clock clock;
    private final SecureRandom random;

    private ConnectLinks(AppDirectory apps, ConnectTokenStore tokens, AuditLog audit, Clock clock,
                         SecureRandom random) {
        this.apps = apps;
        this.tokens = tokens;
        this.audit = audit;
        this.clock = clock;
        this.random = random;
    }

    /** The links of the apps in {@code apps}, kept in {@code tokens}, issuing audited to {@code audit}. */
    public static ConnectLinks create(AppDirectory apps, ConnectTokenStore tokens, AuditLog audit, Clock clock,
                                      SecureRandom random) {
        return new ConnectLinks(Objects.requireNonNull(apps, "apps"), Objects.requireNonNull(tokens, "tokens"),
                Objects.requireNonNull(audit, "audit"), Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(random, "random"));
    }

    /**
     * Issues a connect token for an existing, active app, audited as {@code connect_link_created} by {@code actor}.
     * With {@code organisationId} (checked with {@link Connection#validOrganisationId}), only a Dialpad organisation
     * with that id can be connected through it.
     */
    public ConnectLinkIssue issue(UUID appId, Optional<String> organisationId, Optional<String> clientIp,
                                  String actor) {
        return issue(appId, organisationId, clientIp, actor, () -> { });
    }

    /** As {@link #issue(UUID, Optional, Optional, String)}, running {@code beforeIssuing} once the app is checked. */
    ConnectLinkIssue issue(UUID appId, Optional<String> organisationId, Optional<String> clientIp, String actor,
                           Runnable beforeIssuing) {
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
        beforeIssuing.run();
        Instant now = clock.instant();
        Instant expiresAt = now.plus(LIFETIME);
        String token = RandomSecrets.next(random);
        ConnectToken stored = new ConnectToken(SecretHash.of(token), appId, now, expiresAt, organisationId);
        tokens.save(stored);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("expires_at", expiresAt.toString());
        stored.organisationId().ifPresent(organisation -> details.put("organisation_id", organisation));
        audit.record(new AuditEvent(now, AuditEventType.CONNECT_LINK_CREATED, Optional.of(appId), actor,
                clientIp, details));
        return new ConnectLinkIssue.Issued(appId, token, expiresAt, stored.organisationId());
    }

    /**
     * Counts one more flow started from {@code connectToken} (null when absent) for {@code appId}, if the token is
     * unexpired at {@code now}, issued for that app, not used by a completed connection, and below
     * {@link #MAX_FLOWS_PER_LINK} flows; empty otherwise.
     */
    public Optional<LinkBinding> open(UUID appId, String connectToken, Instant now) {
        if (connectToken == null || connectToken.isBlank() || connectToken.length() > MAX_TOKEN_LENGTH) {
            return Optional.empty();
        }
        return tokens.open(appId, SecretHash.of(connectToken), now, MAX_FLOWS_PER_LINK).map(ConnectToken::binding);
    }

    /** True while no connection has been completed through {@code link}. */
    public boolean canComplete(LinkBinding link) {
        return tokens.canComplete(link.tokenHash());
    }
}
