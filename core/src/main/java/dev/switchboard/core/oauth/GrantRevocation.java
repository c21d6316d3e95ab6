package dev.switchboard.core.oauth;

import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revoking a grant at Dialpad on the server's own initiative, for {@link DialpadConnections}: a grant obtained but not
 * kept, or one replaced by a reconnection. Each revocation is audited as {@code oauth_deauthorized} with its reason;
 * one Dialpad does not confirm is logged as a warning and changes no outcome. Thread-safe when its ports are.
 */
final class GrantRevocation {
    private static final Logger LOG = LoggerFactory.getLogger(DialpadConnections.class);
    private static final String ACTOR_BROWSER = "browser";

    private final DialpadAuthorizationServer dialpad;
    private final AuditLog audit;
    private final Clock clock;

    GrantRevocation(DialpadAuthorizationServer dialpad, AuditLog audit, Clock clock) {
        this.dialpad = dialpad;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * Revokes the grant behind {@code accessToken} at Dialpad on the server's own initiative (a grant not kept or
     * replaced) and audits it as {@code oauth_deauthorized} with {@code reason}; an unconfirmed revocation is logged
     * as a warning. Never throws for Dialpad's answer.
     */
    void revoke(UUID appId, String organisationId, String accessToken, String reason,
                        Optional<String> clientIp) {
        Revocation revocation = dialpad.deauthorize(accessToken);
        Map<String, String> details = details(organisationId, revocation);
        details.put("reason", reason);
        audit.record(new AuditEvent(clock.instant(), AuditEventType.OAUTH_DEAUTHORIZED, Optional.of(appId),
                ACTOR_BROWSER, clientIp, details));
        if (revocation instanceof Revocation.Revoked) {
            LOG.atInfo().addKeyValue("event", AuditEventType.OAUTH_DEAUTHORIZED.code()).addKeyValue("app_id", appId)
                    .addKeyValue("organisation_id", organisationId).addKeyValue("reason", reason)
                    .log("Dialpad grant revoked ({})", reason);
        } else {
            LOG.atWarn().addKeyValue("event", AuditEventType.OAUTH_DEAUTHORIZED.code()).addKeyValue("app_id", appId)
                    .addKeyValue("organisation_id", organisationId).addKeyValue("reason", reason)
                    .addKeyValue("error", details.get("error"))
                    .log("Dialpad did not confirm the revocation of a grant ({}); it may stay valid at Dialpad",
                            reason);
        }
    }

    /** Audit details of a revocation: the organisation, whether Dialpad confirmed it, and its error code if not. */
    static Map<String, String> details(String organisationId, Revocation revocation) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("organisation_id", organisationId);
        details.put("revoked", Boolean.toString(revocation instanceof Revocation.Revoked));
        if (revocation instanceof Revocation.Refused refused) {
            details.put("error", refused.errorCode());
        } else if (revocation instanceof Revocation.Unavailable) {
            details.put("error", "dialpad_unavailable");
        }
        return details;
    }
}
