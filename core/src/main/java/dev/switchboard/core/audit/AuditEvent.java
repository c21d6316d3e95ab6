package dev.switchboard.core.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One line of the append-only audit trail: what happened, to which app, by whom, from where.
 *
 * @param at       when it happened
 * @param type     what happened (a stable snake_case name, see {@link AuditEventType})
 * @param appId    the app concerned, when there is one
 * @param actor    who did it: {@code internal_api}, {@code dialpad}, {@code system}, {@code app}
 * @param clientIp the client address as the server believes it, when the event came from a request
 * @param details  extra non-secret facts (key hints, organisation ids, reasons); never a token, key or secret
 */
public record AuditEvent(Instant at, AuditEventType type, Optional<UUID> appId, String actor,
                         Optional<String> clientIp, Map<String, String> details) {
    public AuditEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(clientIp, "clientIp");
        details = Map.copyOf(details);
    }

    /** An event about an app, with no client address. */
    public static AuditEvent of(Instant at, AuditEventType type, UUID appId, String actor, Map<String, String> details) {
        return new AuditEvent(at, type, Optional.ofNullable(appId), actor, Optional.empty(), details);
    }
}
