package dev.switchboard.core.webhook;

import dev.switchboard.core.apps.AppStore;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Dialpad webhook deliveries: checks the signature first, then routes the verified event to its app(s) and
 * stores it durably, so the HTTP adapter can answer 200 only after {@link #receiveShared} or
 * {@link #receiveForApp} returned {@link WebhookReceipt.Stored}.
 *
 * <ul>
 *   <li>Shared path: verified with the shared secret ({@code DIALPAD_WEBHOOK_SECRET}) as a JWT, or, when the
 *       predecessor's {@code x-dialpad-signature} header is present, as HMAC of the raw JSON body
 *       ({@link WebhookVerifier#check}); routed by organisation with {@link OrganisationRouter}: one event per
 *       connected app, or one unrouted event kept at most {@link UnroutedEventExpiry#RETENTION}, for an app
 *       whose connection existed when it arrived (see {@link EventProcessor}).</li>
 *   <li>Per-app path: verified as a JWT with each of the app's own webhook secrets
 *       ({@link DialpadWebhookStore#secrets}); the first that verifies wins. An unknown app is
 *       {@link WebhookReceipt.UnknownApp}; an app without any webhook secret verifies nothing.</li>
 * </ul>
 *
 * <p>Nothing of the body is parsed before the signature verifies (apart from the JWS header, which names the
 * algorithm). Each rejection is logged and written to the audit trail as {@code webhook_rejected} with the client
 * address and the reason, never the body or a secret; a failing audit write is logged and does not change the
 * answer. A store failure is thrown as {@link dev.switchboard.core.StoreUnavailableException} (the adapter answers
 * 503 so Dialpad retries).
 *
 * <p>An app's secrets are reused for {@link #SECRET_CACHE_TTL}; a delivery that verifies with none of the
 * remembered secrets is checked again against freshly read ones, so a webhook created a moment ago is never refused.
 * Thread-safe.
 */
public final class WebhookIntake {
    /** How long an app's webhook secrets are reused without reading them again. */
    public static final Duration SECRET_CACHE_TTL = Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(WebhookIntake.class);

    private record CachedSecrets(List<DialpadWebhookSecret> secrets, Instant until) {
    }

    private final WebhookVerifier verifier;
    private final byte[] sharedSecret;
    private final OrganisationRouter router;
    private final DialpadWebhookStore webhooks;
    private final AppStore apps;
    private final WebhookEventStore events;
    private final AuditLog audit;
    private final Clock clock;
    private final Map<UUID, CachedSecrets> secrets = new ConcurrentHashMap<>();

    private WebhookIntake(WebhookVerifier verifier, byte[] sharedSecret, OrganisationRouter router,
                          DialpadWebhookStore webhooks, AppStore apps, WebhookEventStore events, AuditLog audit,
                          Clock clock) {
        this.verifier = verifier;
        this.sharedSecret = sharedSecret;
        this.router = router;
        this.webhooks = webhooks;
        this.apps = apps;
        this.events = events;
        this.audit = audit;
        this.clock = clock;
    }

    /**
     * An intake storing into {@code events} (normally a {@link BatchingWebhookEventStore}).
     *
     * @param sharedSecret the shared path's secret, as text (its UTF-8 bytes are the HMAC key)
     */
    public static WebhookIntake create(WebhookVerifier verifier, String sharedSecret, OrganisationRouter router,
                                       DialpadWebhookStore webhooks, AppStore apps, WebhookEventStore events,
                                       AuditLog audit, Clock clock) {
        Objects.requireNonNull(sharedSecret, "sharedSecret");
        return new WebhookIntake(Objects.requireNonNull(verifier, "verifier"),
                sharedSecret.getBytes(StandardCharsets.UTF_8), Objects.requireNonNull(router, "router"),
                Objects.requireNonNull(webhooks, "webhooks"), Objects.requireNonNull(apps, "apps"),
                Objects.requireNonNull(events, "events"), Objects.requireNonNull(audit, "audit"),
                Objects.requireNonNull(clock, "clock"));
    }

    /**
     * A delivery on {@code POST /webhooks/dialpad}.
     *
     * @param body            the raw body, whatever its Content-Type
     * @param legacySignature the {@code x-dialpad-signature} header, or null when absent
     * @param clientIp        the client address, for the audit trail of a rejection
     */
    public WebhookReceipt receiveShared(byte[] body, String legacySignature, Optional<String> clientIp) {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(clientIp, "clientIp");
        WebhookCheck check = verifier.check(body, legacySignature, sharedSecret);
        if (legacySignature == null) {
            check = missingSignature(check, body);
        }
        if (check instanceof WebhookCheck.Rejected rejected) {
            return reject(rejected.reason(), Optional.empty(), "shared", clientIp);
        }
        Map<String, Object> payload = ((WebhookCheck.Accepted) check).payload();
        byte[] raw = legacySignature == null ? jwtPayload(body) : body;
        OrganisationRouter.Route route = router.route(payload);
        Instant now = clock.instant();
        if (route.unrouted()) {
            NewWebhookEvent event = NewWebhookEvent.of(Optional.empty(), route.organisationId(), payload, raw, now);
            LOG.info("webhook event kept unrouted: no app is connected to its organisation");
            return new WebhookReceipt.Stored(List.of(events.store(event)), List.of(), route.organisationId());
        }
        List<NewWebhookEvent> perApp = new ArrayList<>();
        for (UUID appId : route.appIds()) {
            perApp.add(NewWebhookEvent.of(Optional.of(appId), route.organisationId(), payload, raw, now));
        }
        List<WebhookEventStore.Stored> stored = perApp.size() == 1
                ? List.of(events.store(perApp.get(0)))
                : events.storeAll(perApp);
        return new WebhookReceipt.Stored(stored, route.appIds(), route.organisationId());
    }

    /**
     * A delivery on {@code POST /webhooks/dialpad/{app_id}}: a JWT signed with one of the app's webhook secrets.
     *
     * @param body     the raw body, whatever its Content-Type
     * @param clientIp the client address, for the audit trail of a rejection
     */
    public WebhookReceipt receiveForApp(UUID appId, byte[] body, Optional<String> clientIp) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(clientIp, "clientIp");
        Instant now = clock.instant();
        CachedSecrets cached = secrets.get(appId);
        boolean fresh = cached == null || !now.isBefore(cached.until());
        List<DialpadWebhookSecret> known = fresh ? loadSecrets(appId, now) : cached.secrets();
        if (known.isEmpty() && apps.find(appId).isEmpty()) {
            return new WebhookReceipt.UnknownApp(appId);
        }
        WebhookCheck check = missingSignature(verifyWithAny(body, known), body);
        if (!fresh && check instanceof WebhookCheck.Rejected r && r.reason() == WebhookCheck.Reason.BAD_SIGNATURE) {
            // the app may have a webhook newer than the remembered secrets: Dialpad never retries a 401
            check = verifyWithAny(body, loadSecrets(appId, now));
        }
        if (check instanceof WebhookCheck.Rejected rejected) {
            return reject(rejected.reason(), Optional.of(appId), "app", clientIp);
        }
        Map<String, Object> payload = ((WebhookCheck.Accepted) check).payload();
        NewWebhookEvent event = NewWebhookEvent.of(Optional.of(appId),
                OrganisationRouter.candidates(payload).stream().findFirst(), payload, jwtPayload(body), now);
        return new WebhookReceipt.Stored(List.of(events.store(event)), List.of(appId), event.organisationId());
    }

    /**
     * A body the verifier finds malformed because it carries no signature at all (empty, plain JSON as Dialpad sends
     * for a webhook without a secret, or a token whose signature segment is empty) is a missing signature: 401, not
     * 400. Only for JWT deliveries; everything else keeps the verifier's verdict.
     */
    private static WebhookCheck missingSignature(WebhookCheck check, byte[] body) {
        if (!(check instanceof WebhookCheck.Rejected r) || r.reason() != WebhookCheck.Reason.MALFORMED) {
            return check;
        }
        String text = new String(body, StandardCharsets.ISO_8859_1).strip();
        boolean unsigned = text.isEmpty() || text.startsWith("{")
                || (text.endsWith(".") && text.chars().filter(c -> c == '.').count() == 2);
        return unsigned ? new WebhookCheck.Rejected(WebhookCheck.Reason.MISSING_SIGNATURE) : check;
    }

    private List<DialpadWebhookSecret> loadSecrets(UUID appId, Instant now) {
        List<DialpadWebhookSecret> loaded = webhooks.secrets(appId);
        if (loaded.isEmpty()) {
            secrets.remove(appId);
        } else {
            if (secrets.size() > 10_000) {
                secrets.clear();
            }
            secrets.put(appId, new CachedSecrets(loaded, now.plus(SECRET_CACHE_TTL)));
        }
        return loaded;
    }

    private WebhookCheck verifyWithAny(byte[] body, List<DialpadWebhookSecret> candidates) {
        if (candidates.isEmpty()) {
            // nothing can verify; the structure is still judged so a broken body reads as what it is
            WebhookCheck shape = verifier.verifyJwt(body, new byte[0]);
            return shape instanceof WebhookCheck.Rejected r && r.reason() != WebhookCheck.Reason.BAD_SIGNATURE
                    ? shape : new WebhookCheck.Rejected(WebhookCheck.Reason.BAD_SIGNATURE);
        }
        WebhookCheck last = null;
        for (DialpadWebhookSecret secret : candidates) {
            byte[] key = secret.bytes();
            try {
                last = verifier.verifyJwt(body, key);
            } finally {
                Arrays.fill(key, (byte) 0);
            }
            // only a signature mismatch depends on the secret; every other outcome is the same for all of them
            if (!(last instanceof WebhookCheck.Rejected r) || r.reason() != WebhookCheck.Reason.BAD_SIGNATURE) {
                return last;
            }
        }
        return last;
    }

    private WebhookReceipt reject(WebhookCheck.Reason reason, Optional<UUID> appId, String path,
                                  Optional<String> clientIp) {
        String code = reason.name().toLowerCase(java.util.Locale.ROOT);
        LOG.warn("webhook rejected on the {} path: {} (client {})", path, code, clientIp.orElse("unknown"));
        try {
            audit.record(new AuditEvent(clock.instant(), AuditEventType.WEBHOOK_REJECTED, appId, "dialpad", clientIp,
                    Map.of("reason", code, "path", path)));
        } catch (RuntimeException e) {
            LOG.warn("could not audit a webhook rejection: {}", e.getMessage());
        }
        return new WebhookReceipt.Rejected(reason);
    }

    /** The decoded payload segment of a compact JWS that already verified. */
    private static byte[] jwtPayload(byte[] body) {
        String token = new String(body, StandardCharsets.US_ASCII).strip();
        int first = token.indexOf('.');
        int second = token.indexOf('.', first + 1);
        return Base64.getUrlDecoder().decode(token.substring(first + 1, second));
    }
}
