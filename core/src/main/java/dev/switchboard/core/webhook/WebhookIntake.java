package dev.switchboard.core.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives Dialpad webhook deliveries: checks the signature first, then routes the verified event to its app(s) and
 * stores it durably, so the HTTP adapter can answer 200 only after {@link #receiveShared} or
 * {@link #receiveForApp} returned {@link WebhookReceipt.Stored}.
 *
 * <ul>
 *   <li>Shared path: verified with the shared secret ({@code DIALPAD_WEBHOOK_SECRET}, either of its two values
 *       during a rotation) as a JWT, or, when the
 *       predecessor's {@code x-dialpad-signature} header is present, as HMAC of the raw JSON body
 *       ({@link WebhookVerifier#check}); routed by organisation with {@link OrganisationRouter}: one event per
 *       connected app, or one unrouted event kept at most {@link UnroutedEventExpiry#RETENTION}, for an app
 *       whose connection existed when it arrived (see {@link EventProcessor}).</li>
 *   <li>Per-app path: verified as a JWT with each of the app's own webhook secrets, as {@link AppWebhookSecrets}
 *       gives them; the first that verifies wins. An unknown app is {@link WebhookReceipt.UnknownApp}; an app
 *       without any webhook secret verifies nothing.</li>
 * </ul>
 *
 * <p>Nothing of the body is parsed before the signature verifies (apart from the JWS header, which names the
 * algorithm). A rejection is a value ({@link WebhookReceipt.Rejected}, {@link WebhookReceipt.UnknownApp}) that
 * costs nothing beyond the secrets' lookup: counting, auditing and limiting rejections is the caller's, which knows
 * the client and can aggregate them. A store failure is thrown as
 * {@link dev.switchboard.core.StoreUnavailableException} (the adapter answers 503 so Dialpad retries). Thread-safe.
 */
public final class WebhookIntake {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookIntake.class);

    private final WebhookVerifier verifier;
    private final List<byte[]> sharedSecrets;
    private final OrganisationRouter router;
    private final AppWebhookSecrets secrets;
    private final WebhookEventStore events;
    private final Clock clock;

    private WebhookIntake(WebhookVerifier verifier, List<byte[]> sharedSecrets, OrganisationRouter router,
                          AppWebhookSecrets secrets, WebhookEventStore events, Clock clock) {
        this.verifier = verifier;
        this.sharedSecrets = sharedSecrets;
        this.router = router;
        this.secrets = secrets;
        this.events = events;
        this.clock = clock;
    }

    /**
     * An intake storing into {@code events} (normally a {@link BatchingWebhookEventStore}).
     *
     * @param sharedSecret the shared path's secret, as text (its UTF-8 bytes are the HMAC key)
     * @param secrets      where the per-app path finds each app's webhook secrets
     */
    public static WebhookIntake create(WebhookVerifier verifier, String sharedSecret, OrganisationRouter router,
                                       AppWebhookSecrets secrets, WebhookEventStore events, Clock clock) {
        return create(verifier, List.of(Objects.requireNonNull(sharedSecret, "sharedSecret")), router, secrets,
                events, clock);
    }

    /**
     * As {@link #create(WebhookVerifier, String, OrganisationRouter, AppWebhookSecrets, WebhookEventStore, Clock)}
     * with the shared path's secrets during a rotation (the current one and the one replacing it, at least one): a
     * delivery signed with any of them is accepted.
     */
    public static WebhookIntake create(WebhookVerifier verifier, List<String> sharedSecrets,
                                       OrganisationRouter router, AppWebhookSecrets secrets, WebhookEventStore events,
                                       Clock clock) {
        if (sharedSecrets.isEmpty()) {
            throw new IllegalArgumentException("at least one shared webhook secret is needed");
        }
        List<byte[]> keys = new ArrayList<>(sharedSecrets.size());
        for (String secret : sharedSecrets) {
            keys.add(Objects.requireNonNull(secret, "sharedSecret").getBytes(StandardCharsets.UTF_8));
        }
        return new WebhookIntake(Objects.requireNonNull(verifier, "verifier"),
                List.copyOf(keys), Objects.requireNonNull(router, "router"),
                Objects.requireNonNull(secrets, "secrets"), Objects.requireNonNull(events, "events"),
                Objects.requireNonNull(clock, "clock"));
    }

    /**
     * A delivery on {@code POST /webhooks/dialpad}.
     *
     * @param body            the raw body, whatever its Content-Type
     * @param legacySignature the {@code x-dialpad-signature} header, or null when absent
     */
    public WebhookReceipt receiveShared(byte[] body, String legacySignature) {
        Objects.requireNonNull(body, "body");
        WebhookCheck check = checkShared(body, legacySignature);
        if (legacySignature == null) {
            check = missingSignature(check, body);
        }
        Map<String, Object> payload;
        if (check instanceof WebhookCheck.Rejected rejected) {
            return new WebhookReceipt.Rejected(rejected.reason());
        } else if (check instanceof WebhookCheck.Accepted accepted) {
            payload = accepted.payload();
        } else {
            throw unknown(check);
        }
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
     * A delivery on {@code POST /webhooks/dialpad/{app_id}}: a JWT signed with one of the app's webhook secrets that
     * is accepted now ({@link DialpadWebhookSecret#acceptedAt}).
     *
     * @param body the raw body, whatever its Content-Type
     */
    public WebhookReceipt receiveForApp(UUID appId, byte[] body) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(body, "body");
        Optional<List<DialpadWebhookSecret>> known = secrets.find(appId);
        if (known.isEmpty()) {
            return new WebhookReceipt.UnknownApp(appId);
        }
        Instant now = clock.instant();
        // a secret replaced by a rotation is accepted until its overlap ends, whatever a cache still holds
        List<DialpadWebhookSecret> usable = known.get().stream().filter(secret -> secret.acceptedAt(now)).toList();
        WebhookCheck check = missingSignature(verifyWithAny(body, usable), body);
        Map<String, Object> payload;
        if (check instanceof WebhookCheck.Rejected rejected) {
            return new WebhookReceipt.Rejected(rejected.reason());
        } else if (check instanceof WebhookCheck.Accepted accepted) {
            payload = accepted.payload();
        } else {
            throw unknown(check);
        }
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

    /**
     * The verdict of the shared secrets: the first acceptance, else the last rejection. Every secret is tried even
     * after one accepted, so the time taken does not tell which of two secrets signed the delivery.
     */
    private WebhookCheck checkShared(byte[] body, String legacySignature) {
        WebhookCheck accepted = null;
        WebhookCheck last = null;
        for (byte[] secret : sharedSecrets) {
            last = verifier.check(body, legacySignature, secret);
            if (accepted == null && last instanceof WebhookCheck.Accepted) {
                accepted = last;
            }
        }
        return accepted != null ? accepted : last;
    }

    /** The decoded payload segment of a compact JWS that already verified. */
    private static byte[] jwtPayload(byte[] body) {
        String token = new String(body, StandardCharsets.US_ASCII).strip();
        int first = token.indexOf('.');
        int second = token.indexOf('.', first + 1);
        return Base64.getUrlDecoder().decode(token.substring(first + 1, second));
    }

    private static IllegalStateException unknown(WebhookCheck check) {
        return new IllegalStateException("unknown webhook check " + check.getClass().getSimpleName());
    }
}
