package dev.switchboard.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchboard.core.apikey.ApiKeyAuditEntry;
import dev.switchboard.core.apikey.ApiKeyCheck;
import dev.switchboard.core.apikey.ApiKeyIssuance;
import dev.switchboard.core.apikey.ApiKeyStatus;
import dev.switchboard.core.apikey.ApiKeyStore;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.core.apps.AppAdministration;
import dev.switchboard.core.apps.AppStore;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API key administration and key introspection of the internal API, each behind the internal bearer
 * check (401 missing, 403 wrong).
 *
 * <ul>
 *   <li>{@code POST /internal/apps/{app_id}/api-key}: creates the app's key, or rotates it (the old key stops
 *       working at once on this instance and within 2 s on every other one). 200 {@code {"api_key", "key_hint",
 *       "warning"}}, the key shown this once. 200 rather than 201 for both, as the predecessor answered, so its
 *       clients keep working; {@code …/status} and {@code …/audit} tell a creation from a rotation. An optional
 *       JSON body {@code {"grace_seconds": 0-604800}} (a whole number; anything else 400
 *       {@code invalid_grace_seconds}) lets the old key keep working for that long, on every instance; the answer
 *       then adds {@code "previous_key_expires_at"}. A rotation during a grace ends the key in grace at once: only
 *       the key just replaced gets the new grace. No body, or one without {@code grace_seconds}, rotates as
 *       before.</li>
 *   <li>{@code POST /internal/apps/{app_id}/api-key/revoke}: 200 {@code {"message", "app_id", "revoked": true}};
 *       404 {@code no_active_key} when the app has no active key. A key in grace stops with the active one.</li>
 *   <li>{@code GET /internal/apps/{app_id}/api-key/status}: 200 {@code {"app_id", "has_key", "status":
 *       "active"|"revoked"|"none", "key_hint", "created_at", "revoked_at"}} (nulls where not applicable), plus
 *       {@code "previous_key_hint", "previous_key_expires_at"} only while a replaced key's grace lasts.</li>
 *   <li>{@code GET /internal/apps/{app_id}/api-key/audit}: 200 {@code {"app_id", "entries": [{"action":
 *       "created"|"rotated"|"revoked", "old_hint", "new_hint", "actor", "at"}]}}, oldest first, a rotation with a
 *       grace period adding {@code "previous_key_expires_at"}. Hints are of keys (first 8 and last 4 characters),
 *       never of hashes.</li>
 *   <li>{@code POST /internal/introspect} with {@code {"token"}} (JSON, or {@code token=} form-encoded as RFC 7662
 *       section 2.1 sends it): 200 {@code {"active": true, "app_id", "key_hint"}} or {@code {"active": false}}
 *       (RFC 7662 section 2.2); a missing or non-string token is 400 {@code invalid_request}. The token is never
 *       echoed or logged.</li>
 * </ul>
 * Errors: {@code app_id} not a UUID 400 {@code invalid_app_id}; unknown app 404 {@code app_not_found}. Audited as
 * {@code api_key_created}, {@code api_key_rotated}, {@code api_key_revoked} with the hints. Thread-safe.
 */
public final class ApiKeyRoutes implements RouteGroup {
    static final String WARNING = "Store this immediately - it will never be shown again";
    private static final String ACTOR = "internal_api";
    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyRoutes.class);
    private static final ObjectMapper MAPPER = HttpServer.objectMapper();

    private final AppStore apps;
    private final AppAdministration administration;
    private final ApiKeyStore store;
    private final AppAuthenticator authenticator;
    private final AuditLog audit;
    private final InternalAuth internalAuth;
    private final Clock clock;

    private ApiKeyRoutes(AppStore apps, ApiKeys apiKeys, ApiKeyStore store, AppAuthenticator authenticator,
                         AuditLog audit, InternalAuth internalAuth, Clock clock) {
        this.apps = apps;
        this.administration = AppAdministration.create(apps, apiKeys, store, audit, clock);
        this.store = store;
        this.authenticator = authenticator;
        this.audit = audit;
        this.internalAuth = internalAuth;
        this.clock = clock;
    }

    /** The routes; {@code authenticator} answers introspection (the same check {@code /api/*} uses). */
    public static ApiKeyRoutes create(AppStore apps, ApiKeys apiKeys, ApiKeyStore store,
                                      AppAuthenticator authenticator, AuditLog audit, InternalAuth internalAuth,
                                      Clock clock) {
        return new ApiKeyRoutes(Objects.requireNonNull(apps, "apps"), Objects.requireNonNull(apiKeys, "apiKeys"),
                Objects.requireNonNull(store, "store"), Objects.requireNonNull(authenticator, "authenticator"),
                Objects.requireNonNull(audit, "audit"), Objects.requireNonNull(internalAuth, "internalAuth"),
                Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post("/internal/apps/{app_id}/api-key", guarded(this::createOrRotate));
        routes.post("/internal/apps/{app_id}/api-key/revoke", guarded(this::revoke));
        routes.get("/internal/apps/{app_id}/api-key/status", guarded(this::status));
        routes.get("/internal/apps/{app_id}/api-key/audit", guarded(this::audit));
        routes.post("/internal/introspect", guarded(this::introspect));
    }

    /** The bearer check runs in the handler too, so these routes are guarded whatever other groups register. */
    private Handler guarded(Handler handler) {
        return ctx -> {
            internalAuth.require(ctx);
            handler.handle(ctx);
        };
    }

    private void createOrRotate(Context ctx) {
        UUID appId = existingApp(ctx);
        Duration grace = grace(ctx);
        AppAdministration.KeyIssued issued = administration.issueKey(appId, ACTOR, clientIp(ctx), grace)
                .orElseThrow(ApiKeyRoutes::appNotFound);
        IssuedApiKey key = issued.key();
        ApiKeyAuditEntry entry = issued.entry();
        authenticator.forgetApp(appId);
        LOG.info("API key {} for app {}: {}{}", entry.action().code(), appId, key.hint(),
                entry.previousKeyExpiresAt().map(end -> ", previous key until " + end).orElse(""));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("api_key", key.plaintext());
        answer.put("key_hint", key.hint());
        answer.put("warning", WARNING);
        entry.previousKeyExpiresAt().ifPresent(end -> answer.put("previous_key_expires_at", end));
        ctx.json(answer);
    }

    /**
     * The optional {@code grace_seconds} of the body: zero when there is no body or the field is absent; 400
     * {@code invalid_grace_seconds} unless a whole number from 0 to 604800 (a string, fraction or null is not).
     */
    private static Duration grace(Context ctx) {
        byte[] raw = ctx.bodyAsBytes();
        if (new String(raw, StandardCharsets.UTF_8).isBlank()) {
            return Duration.ZERO;
        }
        JsonNode value = Requests.jsonObject(ctx).get("grace_seconds");
        if (value == null) {
            return Duration.ZERO;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0
                || value.longValue() > ApiKeyIssuance.MAX_GRACE.toSeconds()) {
            throw Problems.badRequest("invalid_grace_seconds",
                    "grace_seconds must be a whole number from 0 to " + ApiKeyIssuance.MAX_GRACE.toSeconds() + ".");
        }
        return Duration.ofSeconds(value.longValue());
    }

    private void revoke(Context ctx) {
        UUID appId = existingApp(ctx);
        ApiKeyAuditEntry entry = store.revoke(appId, ACTOR, clock.instant())
                .orElseThrow(() -> Problems.notFound("no_active_key", "This app has no active API key to revoke."));
        authenticator.forgetApp(appId);
        audit.record(new AuditEvent(entry.at(), AuditEventType.API_KEY_REVOKED, Optional.of(appId), ACTOR,
                clientIp(ctx), Map.of("old_hint", entry.oldHint().orElseThrow())));
        LOG.info("API key revoked for app {}: {}", appId, entry.oldHint().orElseThrow());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("message", "API key revoked");
        answer.put("app_id", appId);
        answer.put("revoked", true);
        ctx.json(answer);
    }

    private void status(Context ctx) {
        UUID appId = existingApp(ctx);
        // a grace that has ended leaves the key in the store until the next change: the clock decides what is shown
        ApiKeyStatus status = store.status(appId).asOf(clock.instant());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("app_id", appId);
        answer.put("has_key", status.state() == ApiKeyStatus.State.ACTIVE);
        answer.put("status", status.state().name().toLowerCase(Locale.ROOT));
        answer.put("key_hint", status.keyHint().orElse(null));
        answer.put("created_at", status.createdAt().orElse(null));
        answer.put("revoked_at", status.revokedAt().orElse(null));
        // only while a grace lasts, so the answer without one keeps the shape it always had
        status.previousKeyHint().ifPresent(hint -> answer.put("previous_key_hint", hint));
        status.previousKeyExpiresAt().ifPresent(end -> answer.put("previous_key_expires_at", end));
        ctx.json(answer);
    }

    private void audit(Context ctx) {
        UUID appId = existingApp(ctx);
        List<Map<String, Object>> entries = store.audit(appId).stream().map(entry -> {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("action", entry.action().code());
            fields.put("old_hint", entry.oldHint().orElse(null));
            fields.put("new_hint", entry.newHint().orElse(null));
            fields.put("actor", entry.actor());
            fields.put("at", entry.at());
            entry.previousKeyExpiresAt().ifPresent(end -> fields.put("previous_key_expires_at", end));
            return fields;
        }).toList();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("app_id", appId);
        answer.put("entries", entries);
        ctx.json(answer);
    }

    private void introspect(Context ctx) {
        String token = token(ctx);
        ApiKeyCheck check = authenticator.check(token);
        Map<String, Object> answer = new LinkedHashMap<>();
        if (check instanceof ApiKeyCheck.Authenticated ok) {
            answer.put("active", true);
            answer.put("app_id", ok.appId());
            answer.put("key_hint", ok.keyHint());
        } else {
            // RFC 7662 section 2.2: an inactive token gets "active": false and nothing else
            answer.put("active", false);
        }
        ctx.json(answer);
    }

    private static String token(Context ctx) {
        String contentType = ctx.contentType();
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (mediaType.equals("application/x-www-form-urlencoded")) {
            List<String> tokens = ctx.formParams("token");
            if (tokens.size() != 1) {
                throw invalidRequest();
            }
            return tokens.get(0);
        }
        if (!mediaType.equals("application/json")) {
            throw Problems.unsupportedMediaType("application/json or application/x-www-form-urlencoded");
        }
        JsonNode body;
        try {
            body = MAPPER.readTree(ctx.bodyAsBytes());
        } catch (JsonProcessingException e) {
            throw Problems.badRequest("invalid_json", "The request body is not valid JSON.");
        } catch (IOException e) {
            throw Problems.badRequest("invalid_json", "The request body could not be read.");
        }
        if (body == null || !body.isObject()) {
            throw Problems.badRequest("invalid_json", "The request body must be a JSON object.");
        }
        JsonNode token = body.get("token");
        if (token == null || !token.isTextual()) {
            throw invalidRequest();
        }
        return token.textValue();
    }

    private static Problem invalidRequest() {
        return Problems.badRequest("invalid_request", "token is required and must be a string.");
    }

    private UUID existingApp(Context ctx) {
        UUID appId = QueryFilters.uuid(ctx.pathParam("app_id"))
                .orElseThrow(() -> Problems.badRequest("invalid_app_id", "app_id must be a UUID."));
        if (apps.find(appId).isEmpty()) {
            throw appNotFound();
        }
        return appId;
    }

    private static Problem appNotFound() {
        return Problems.notFound("app_not_found", "No app has this app_id.");
    }

    private static Optional<String> clientIp(Context ctx) {
        return Optional.ofNullable(ClientAddress.of(ctx)).filter(ip -> !ip.isBlank());
    }
}
