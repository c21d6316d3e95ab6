package dev.switchboard.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.apikey.ApiKeyStore;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppAdministration;
import dev.switchboard.core.apps.AppStore;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import dev.switchboard.core.oauth.ConnectLinkIssue;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.ConnectionStore;
import dev.switchboard.core.oauth.ConnectionSummary;
import dev.switchboard.core.oauth.OAuthFlows;
import dev.switchboard.core.oauth.RefreshHealth;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * App administration of CONTRACT.md ("Administration: Apps") and the connect link of "OAuth", under
 * {@code /internal/*}, every request of which first passes the internal bearer check (401 missing, 403 wrong).
 *
 * <ul>
 *   <li>{@code POST /internal/apps {"name"}} 201 {@code {"app_id", "app_name", "api_key", "created_at", "warning"}}:
 *       creates the app and its first API key (shown this once).</li>
 *   <li>{@code GET /internal/apps} 200 {@code {"apps": [{"app_id", "app_name", "is_active", "created_at",
 *       "connected"}]}}, oldest first.</li>
 *   <li>{@code GET /internal/apps/{app_id}} 200: the app's fields, {@code connected}, and {@code connection}
 *       ({@code null} when not connected): {@code dialpad_org_id}, {@code environment}, {@code token_expires_at},
 *       {@code tokens_obtained_at}, {@code connected_at} and {@code refresh} ({@code last_success_at},
 *       {@code last_failure_at}, {@code consecutive_failures}, {@code last_error}, {@code needs_reconnect},
 *       {@code next_attempt_at}) and {@code shared_with_app_ids}: the other apps connected to the same Dialpad
 *       organisation, oldest connection first (empty when none), since the organisation's events reach each of
 *       them. Never a token.</li>
 *   <li>{@code PATCH /internal/apps/{app_id} {"name"?, "is_active"?}} 200 with the app's fields.</li>
 *   <li>{@code POST /internal/apps/{app_id}/connect-link} 201 {@code {"connect_url", "expires_at"}}, plus
 *       {@code dialpad_org_id} when the link is bound to one. No body is needed (none, or an empty one, is a link
 *       for any organisation); {@code {"dialpad_org_id"}} (a string, or a whole number, of 1 to 200 printable
 *       characters) binds the link: a callback for another organisation is refused with 403
 *       {@code organisation_mismatch} and nothing is stored. A wrong type or size is 400
 *       {@code invalid_dialpad_org_id}.</li>
 * </ul>
 * Errors: {@code app_id} not a UUID 400 {@code invalid_app_id}; unknown app 404 {@code app_not_found}; connect
 * link for an inactive app 403 {@code app_inactive}; a body that is not {@code application/json} 415
 * {@code unsupported_media_type}; not one JSON object 400 {@code invalid_json}; {@code name} missing, not a string,
 * blank, over 200 characters or with control characters 400 {@code invalid_name}; {@code is_active} not a boolean
 * 400 {@code invalid_is_active}; a PATCH with neither field 400 {@code empty_update}. Other fields are ignored.
 *
 * <p>Audited: {@code app_created}, {@code api_key_created}, {@code app_updated} (and {@code connect_link_created}
 * by {@link OAuthFlows}). Thread-safe.
 */
public final class AppRoutes implements RouteGroup {
    static final String WARNING = "Store this immediately - it will never be shown again";
    private static final String ACTOR = "internal_api";

    private final AppStore apps;
    private final AppAdministration administration;
    private final ConnectionStore connections;
    private final OAuthFlows flows;
    private final AuditLog audit;
    private final InternalAuth internalAuth;
    private final URI publicBaseUrl;
    private final Clock clock;

    private AppRoutes(AppStore apps, AppAdministration administration, ConnectionStore connections,
                      OAuthFlows flows, AuditLog audit, InternalAuth internalAuth, URI publicBaseUrl,
                      Clock clock) {
        this.apps = apps;
        this.administration = administration;
        this.connections = connections;
        this.flows = flows;
        this.audit = audit;
        this.internalAuth = internalAuth;
        this.publicBaseUrl = publicBaseUrl;
        this.clock = clock;
    }

    /** The routes; {@code publicBaseUrl} ({@code PUBLIC_BASE_URL}) is where connect links point. */
    public static AppRoutes create(AppStore apps, ApiKeys apiKeys, ApiKeyStore apiKeyStore,
                                   ConnectionStore connections, OAuthFlows flows, AuditLog audit,
                                   InternalAuth internalAuth, URI publicBaseUrl, Clock clock) {
        Objects.requireNonNull(clock, "clock");
        return new AppRoutes(Objects.requireNonNull(apps, "apps"), AppAdministration.create(apps, apiKeys,
                apiKeyStore, audit, clock), Objects.requireNonNull(connections, "connections"),
                Objects.requireNonNull(flows, "flows"), Objects.requireNonNull(audit, "audit"),
                Objects.requireNonNull(internalAuth, "internalAuth"),
                Objects.requireNonNull(publicBaseUrl, "publicBaseUrl"), clock);
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.before("/internal/*", internalAuth::require);
        routes.post("/internal/apps", this::create);
        routes.get("/internal/apps", this::list);
        routes.get("/internal/apps/{app_id}", this::show);
        routes.patch("/internal/apps/{app_id}", this::update);
        routes.post("/internal/apps/{app_id}/connect-link", this::connectLink);
    }

    private void create(Context ctx) {
        ObjectNode body = Requests.jsonObject(ctx);
        String name = name(body.get("name"));
        Optional<String> clientIp = Requests.clientIp(ctx);
        AppAdministration.Created created = administration.createApp(name, ACTOR, clientIp);
        App app = created.app();
        IssuedApiKey key = created.key();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("app_id", app.id());
        answer.put("app_name", app.name());
        answer.put("api_key", key.plaintext());
        answer.put("created_at", app.createdAt());
        answer.put("warning", WARNING);
        ctx.status(201).json(answer);
    }

    private void list(Context ctx) {
        List<Map<String, Object>> items = apps.list().stream().map(app -> {
            Map<String, Object> item = appFields(app);
            item.put("connected", connections.findSummary(app.id()).isPresent());
            return item;
        }).toList();
        ctx.json(Map.of("apps", items));
    }

    private void show(Context ctx) {
        UUID appId = Requests.appIdPath(ctx);
        App app = apps.find(appId).orElseThrow(AppRoutes::appNotFound);
        Optional<ConnectionSummary> connection = connections.findSummary(appId);
        Map<String, Object> answer = appFields(app);
        answer.put("connected", connection.isPresent());
        answer.put("connection", connection.map(this::connectionFields).orElse(null));
        ctx.json(answer);
    }

    private void update(Context ctx) {
        UUID appId = Requests.appIdPath(ctx);
        ObjectNode body = Requests.jsonObject(ctx);
        String name = body.has("name") ? name(body.get("name")) : null;
        Boolean active = null;
        if (body.has("is_active")) {
            JsonNode flag = body.get("is_active");
            if (!flag.isBoolean()) {
                throw Problems.badRequest("invalid_is_active", "is_active must be true or false.");
            }
            active = flag.booleanValue();
        }
        if (name == null && active == null) {
            throw Problems.badRequest("empty_update", "Give name and/or is_active to change.");
        }
        App app = apps.update(appId, name, active).orElseThrow(AppRoutes::appNotFound);
        Map<String, String> details = new LinkedHashMap<>();
        if (name != null) {
            details.put("app_name", app.name());
        }
        if (active != null) {
            details.put("is_active", Boolean.toString(app.active()));
        }
        audit.record(new AuditEvent(clock.instant(), AuditEventType.APP_UPDATED, Optional.of(appId), ACTOR,
                Requests.clientIp(ctx), details));
        ctx.json(appFields(app));
    }

    private void connectLink(Context ctx) {
        UUID appId = Requests.appIdPath(ctx);
        Optional<String> organisation = linkOrganisation(ctx);
        ConnectLinkIssue issue = flows.createConnectLink(appId, organisation, Requests.clientIp(ctx));
        if (issue instanceof ConnectLinkIssue.AppNotFound) {
            throw appNotFound();
        }
        if (issue instanceof ConnectLinkIssue.AppInactive) {
            throw Problems.forbidden("app_inactive", "This app is inactive; activate it before connecting.");
        }
        if (!(issue instanceof ConnectLinkIssue.Issued issued)) {
            throw new IllegalStateException("unhandled link issue " + issue.getClass().getSimpleName());
        }
        String url = issued.connectUrl(publicBaseUrl);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("connect_url", url);
        answer.put("expires_at", issued.expiresAt());
        issued.organisationId().ifPresent(id -> answer.put("dialpad_org_id", id));
        ctx.status(201).json(answer);
    }

    /**
     * The optional {@code dialpad_org_id} of a connect-link request. No body (or only white space) is valid and
     * binds nothing; otherwise the body must be a JSON object, whose {@code dialpad_org_id}, when present, is a
     * string or a whole number that is a valid organisation id. Dialpad's company ids are numbers, stored as text.
     */
    private static Optional<String> linkOrganisation(Context ctx) {
        if (new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8).isBlank()) {
            return Optional.empty();
        }
        JsonNode value = Requests.jsonObject(ctx).get("dialpad_org_id");
        if (value == null) {
            return Optional.empty();
        }
        Problem invalid = Problems.badRequest("invalid_dialpad_org_id", "dialpad_org_id must be a string or a whole "
                + "number of 1 to " + Connection.MAX_ORGANISATION_ID_LENGTH + " printable characters.");
        String text;
        if (value.isTextual()) {
            text = value.textValue();
        } else if (value.isIntegralNumber() && value.canConvertToLong()) {
            text = Long.toString(value.longValue());
        } else {
            throw invalid;
        }
        try {
            return Optional.of(Connection.validOrganisationId(text));
        } catch (IllegalArgumentException e) {
            throw invalid;
        }
    }

    private static String name(JsonNode node) {
        if (node == null || !node.isTextual()) {
            throw invalidName();
        }
        try {
            return App.validName(node.textValue());
        } catch (IllegalArgumentException e) {
            throw invalidName();
        }
    }

    private static Problem invalidName() {
        return Problems.badRequest("invalid_name",
                "name must be a string of 1 to " + App.MAX_NAME_LENGTH + " characters without control characters.");
    }

    private static Problem appNotFound() {
        return Problems.notFound("app_not_found", "No app has this app_id.");
    }

    private static Map<String, Object> appFields(App app) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("app_id", app.id());
        fields.put("app_name", app.name());
        fields.put("is_active", app.active());
        fields.put("created_at", app.createdAt());
        return fields;
    }

    private Map<String, Object> connectionFields(ConnectionSummary connection) {
        RefreshHealth health = connection.health();
        Map<String, Object> refresh = new LinkedHashMap<>();
        refresh.put("last_success_at", health.lastSuccessAt().orElse(null));
        refresh.put("last_failure_at", health.lastFailureAt().orElse(null));
        refresh.put("consecutive_failures", health.consecutiveFailures());
        refresh.put("last_error", health.lastErrorCode().orElse(null));
        refresh.put("needs_reconnect", health.needsReconnect());
        refresh.put("next_attempt_at", health.nextAttemptAt());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("dialpad_org_id", connection.organisationId());
        fields.put("environment", connection.environment().code());
        fields.put("token_expires_at", connection.expiresAt());
        fields.put("tokens_obtained_at", connection.tokensObtainedAt());
        fields.put("connected_at", connection.connectedAt());
        fields.put("refresh", refresh);
        fields.put("shared_with_app_ids", connections.findByOrganisation(connection.organisationId()).stream()
                .map(ConnectionSummary::appId).filter(other -> !other.equals(connection.appId())).toList());
        return fields;
    }
}
