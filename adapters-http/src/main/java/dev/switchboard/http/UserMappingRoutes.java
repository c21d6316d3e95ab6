package dev.switchboard.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.apps.AppStore;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.audit.AuditLog;
import dev.switchboard.core.users.BatchMappingOutcome;
import dev.switchboard.core.users.MappingOutcome;
import dev.switchboard.core.users.UserMapping;
import dev.switchboard.core.users.UserMappingRequest;
import dev.switchboard.core.users.UserMappingStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * User mappings of CONTRACT.md ("Administration"): which CRM user a Dialpad user is, per app. Every path starts with
 * {@code /internal/apps/{app_id}/users} and sits behind the internal bearer check of {@code /internal/*}.
 *
 * <ul>
 *   <li>{@code POST …/users/map {"dialpad_user_id", "crm_user_id"}}: 201 when the Dialpad user had no mapping, 200
 *       when it was re-pointed or already pointed there. The body is the mapping ({@code mapping_id},
 *       {@code app_id}, {@code dialpad_user_id}, {@code crm_user_id}, {@code created_at}) with {@code outcome}
 *       ({@code created}, {@code remapped}, {@code unchanged}) and, when remapped, {@code previous_crm_user_id}.</li>
 *   <li>{@code POST …/users/batch-map {"mappings": [{…}, …]}} (1 to {@value #MAX_BATCH} entries): all or nothing.
 *       200 {@code {"mappings": [mapping + outcome, …], "created", "remapped", "unchanged"}}. An invalid entry is 400
 *       {@code invalid_mapping} naming its index; one Dialpad user mapped to two CRM users in the batch is 409
 *       {@code conflicting_mappings} naming the later index. Nothing is written in either case.</li>
 *   <li>{@code GET …/users/mappings} 200 {@code {"mappings": […]}}, oldest first.</li>
 *   <li>{@code GET …/users/mappings/dialpad/{id}} 200 mapping; 404 {@code mapping_not_found}.</li>
 *   <li>{@code GET …/users/mappings/crm/{id}} 200 {@code {"mappings": […]}} (several Dialpad users may map to one
 *       CRM user); 404 {@code mapping_not_found} when none.</li>
 *   <li>{@code DELETE …/users/mappings/{mapping_id}} and {@code DELETE …/users/mappings/dialpad/{id}} 200
 *       {@code {"deleted": true, …}}; 404 {@code mapping_not_found}.</li>
 * </ul>
 * A user id is a JSON string (or a whole number, as Dialpad's ids are) of 1 to 255 characters after trimming, with no
 * control characters; anything else is 400 {@code invalid_dialpad_user_id} / {@code invalid_crm_user_id}. Other
 * errors: {@code app_id} or {@code mapping_id} not a UUID 400 {@code invalid_app_id} / {@code invalid_mapping_id};
 * unknown app 404 {@code app_not_found}; body not JSON 415/400 {@code invalid_json}.
 *
 * <p>Each created, re-pointed or deleted mapping is audited as {@code user_mapping_changed} with the action and ids.
 * Thread-safe.
 */
public final class UserMappingRoutes implements RouteGroup {
    /** The most entries one batch may hold. */
    public static final int MAX_BATCH = 1000;
    private static final String ACTOR = "internal_api";
    private static final String BASE = "/internal/apps/{app_id}/users";

    private final AppStore apps;
    private final UserMappingStore mappings;
    private final AuditLog audit;
    private final Clock clock;

    private UserMappingRoutes(AppStore apps, UserMappingStore mappings, AuditLog audit, Clock clock) {
        this.apps = apps;
        this.mappings = mappings;
        this.audit = audit;
        this.clock = clock;
    }

    /** The routes over these ports. */
    public static UserMappingRoutes create(AppStore apps, UserMappingStore mappings, AuditLog audit, Clock clock) {
        return new UserMappingRoutes(Objects.requireNonNull(apps, "apps"), Objects.requireNonNull(mappings, "mappings"),
                Objects.requireNonNull(audit, "audit"), Objects.requireNonNull(clock, "clock"));
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post(BASE + "/map", this::map);
        routes.post(BASE + "/batch-map", this::batchMap);
        routes.get(BASE + "/mappings", this::list);
        routes.get(BASE + "/mappings/dialpad/{id}", this::findByDialpadUser);
        routes.get(BASE + "/mappings/crm/{id}", this::findByCrmUser);
        routes.delete(BASE + "/mappings/dialpad/{id}", this::deleteByDialpadUser);
        routes.delete(BASE + "/mappings/{mapping_id}", this::delete);
    }

    private void map(Context ctx) {
        UUID appId = Requests.existingApp(ctx, apps).id();
        ObjectNode body = Requests.jsonObject(ctx);
        UserMappingRequest request = request(body, "");
        MappingOutcome outcome = mappings.map(appId, request);
        auditChange(ctx, appId, outcome);
        ctx.status(outcome instanceof MappingOutcome.Created ? 201 : 200).json(outcomeFields(outcome));
    }

    private void batchMap(Context ctx) {
        UUID appId = Requests.existingApp(ctx, apps).id();
        ObjectNode body = Requests.jsonObject(ctx);
        JsonNode entries = body.get("mappings");
        if (entries == null || !entries.isArray() || entries.isEmpty() || entries.size() > MAX_BATCH) {
            throw Problems.badRequest("invalid_mappings",
                    "mappings must be an array of 1 to " + MAX_BATCH + " objects.");
        }
        List<UserMappingRequest> requests = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            JsonNode entry = entries.get(i);
            if (!entry.isObject()) {
                throw Problems.badRequest("invalid_mapping", "mappings[" + i + "] must be an object.");
            }
            requests.add(request(entry, "mappings[" + i + "]: "));
        }
        BatchMappingOutcome outcome = mappings.mapAll(appId, requests);
        if (outcome instanceof BatchMappingOutcome.Conflicting conflicting) {
            throw Problems.conflict("conflicting_mappings", "mappings[" + conflicting.index()
                    + "] maps a dialpad_user_id of an earlier entry to another crm_user_id; nothing was applied.");
        }
        if (!(outcome instanceof BatchMappingOutcome.Applied done)) {
            throw new IllegalStateException("unhandled batch outcome " + outcome.getClass().getSimpleName());
        }
        List<MappingOutcome> applied = done.outcomes();
        Map<String, Integer> counts = new LinkedHashMap<>(Map.of("created", 0, "remapped", 0, "unchanged", 0));
        List<Map<String, Object>> items = new ArrayList<>(applied.size());
        for (MappingOutcome each : applied) {
            auditChange(ctx, appId, each);
            counts.merge(outcomeName(each), 1, Integer::sum);
            items.add(outcomeFields(each));
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("mappings", items);
        answer.put("created", counts.get("created"));
        answer.put("remapped", counts.get("remapped"));
        answer.put("unchanged", counts.get("unchanged"));
        ctx.json(answer);
    }

    private void list(Context ctx) {
        UUID appId = Requests.existingApp(ctx, apps).id();
        ctx.json(Map.of("mappings", mappings.list(appId).stream().map(UserMappingRoutes::fields).toList()));
    }

    private void findByDialpadUser(Context ctx) {
        UUID appId = Requests.existingApp(ctx, apps).id();
        String dialpadUserId = pathUserId(ctx, "invalid_dialpad_user_id", "dialpad_user_id");
        UserMapping mapping = mappings.findByDialpadUser(appId, dialpadUserId)
                .orElseThrow(UserMappingRoutes::mappingNotFound);
        ctx.json(fields(mapping));
    }

    private void findByCrmUser(Context ctx) {
        UUID appId = Requests.existingApp(ctx, apps).id();
        String crmUserId = pathUserId(ctx, "invalid_crm_user_id", "crm_user_id");
        List<UserMapping> found = mappings.findByCrmUser(appId, crmUserId);
        if (found.isEmpty()) {
            throw mappingNotFound();
        }
        ctx.json(Map.of("mappings", found.stream().map(UserMappingRoutes::fields).toList()));
    }

    private void delete(Context ctx) {
        UUID appId = Requests.existingApp(ctx, apps).id();
        UUID mappingId = Requests.uuidPath(ctx, "mapping_id", "invalid_mapping_id");
        if (!mappings.delete(appId, mappingId)) {
            throw mappingNotFound();
        }
        record(ctx, appId, Map.of("action", "deleted", "mapping_id", mappingId.toString()));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("deleted", true);
        answer.put("mapping_id", mappingId);
        ctx.json(answer);
    }

    private void deleteByDialpadUser(Context ctx) {
        UUID appId = Requests.existingApp(ctx, apps).id();
        String dialpadUserId = pathUserId(ctx, "invalid_dialpad_user_id", "dialpad_user_id");
        if (!mappings.deleteByDialpadUser(appId, dialpadUserId)) {
            throw mappingNotFound();
        }
        record(ctx, appId, Map.of("action", "deleted", "dialpad_user_id", dialpadUserId));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("deleted", true);
        answer.put("dialpad_user_id", dialpadUserId);
        ctx.json(answer);
    }

    private void auditChange(Context ctx, UUID appId, MappingOutcome outcome) {
        if (outcome instanceof MappingOutcome.Unchanged) {
            return;
        }
        UserMapping mapping = outcome.mapping();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("action", outcomeName(outcome));
        details.put("mapping_id", mapping.id().toString());
        details.put("dialpad_user_id", mapping.dialpadUserId());
        details.put("crm_user_id", mapping.crmUserId());
        if (outcome instanceof MappingOutcome.Remapped remapped) {
            details.put("previous_crm_user_id", remapped.previousCrmUserId());
        }
        record(ctx, appId, details);
    }

    private void record(Context ctx, UUID appId, Map<String, String> details) {
        audit.record(new AuditEvent(clock.instant(), AuditEventType.USER_MAPPING_CHANGED, Optional.of(appId), ACTOR,
                Requests.clientIp(ctx), details));
    }

    /** Reads one entry; {@code where} prefixes the message of a 400 (empty for a single mapping). */
    private static UserMappingRequest request(JsonNode entry, String where) {
        String dialpadUserId = userId(entry.get("dialpad_user_id"));
        if (dialpadUserId == null) {
            throw invalidUserId("invalid_dialpad_user_id", where, "dialpad_user_id");
        }
        String crmUserId = userId(entry.get("crm_user_id"));
        if (crmUserId == null) {
            throw invalidUserId("invalid_crm_user_id", where, "crm_user_id");
        }
        return new UserMappingRequest(dialpadUserId, crmUserId);
    }

    /** A string, or a whole number written as text; null when absent, another JSON type, or not a valid id. */
    private static String userId(JsonNode node) {
        String value;
        if (node == null) {
            return null;
        } else if (node.isTextual()) {
            value = node.textValue();
        } else if (node.isIntegralNumber()) {
            value = node.bigIntegerValue().toString();
        } else {
            return null;
        }
        return UserMappingRequest.isValidId(value) ? value.strip() : null;
    }

    private static Problem invalidUserId(String code, String where, String field) {
        String batchCode = where.isEmpty() ? code : "invalid_mapping";
        return Problems.badRequest(batchCode, where + field + " must be a string of 1 to "
                + UserMappingRequest.MAX_ID_LENGTH + " characters without control characters.");
    }

    private static String pathUserId(Context ctx, String code, String field) {
        String value = ctx.pathParam("id");
        if (!UserMappingRequest.isValidId(value)) {
            throw Problems.badRequest(code, field + " must have 1 to " + UserMappingRequest.MAX_ID_LENGTH
                    + " characters without control characters.");
        }
        return value.strip();
    }

    private static Problem mappingNotFound() {
        return Problems.notFound("mapping_not_found", "This app has no such user mapping.");
    }

    private static String outcomeName(MappingOutcome outcome) {
        if (outcome instanceof MappingOutcome.Created) {
            return "created";
        }
        return outcome instanceof MappingOutcome.Remapped ? "remapped" : "unchanged";
    }

    private static Map<String, Object> outcomeFields(MappingOutcome outcome) {
        Map<String, Object> fields = fields(outcome.mapping());
        fields.put("outcome", outcomeName(outcome));
        if (outcome instanceof MappingOutcome.Remapped remapped) {
            fields.put("previous_crm_user_id", remapped.previousCrmUserId());
        }
        return fields;
    }

    static Map<String, Object> fields(UserMapping mapping) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("mapping_id", mapping.id());
        fields.put("app_id", mapping.appId());
        fields.put("dialpad_user_id", mapping.dialpadUserId());
        fields.put("crm_user_id", mapping.crmUserId());
        fields.put("created_at", mapping.createdAt());
        return fields;
    }
}
