package dev.switchboard.http;

import dev.switchboard.core.apps.AppStore;
import dev.switchboard.core.calls.Voicemail;
import dev.switchboard.core.calls.VoicemailStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Voicemails of the internal API, per app, behind the internal bearer check of {@code /internal/*},
 * in the data API's envelope:
 * <ul>
 *   <li>{@code GET /internal/apps/{app_id}/voicemails?limit=&offset=} 200 {@code {"success": true, "data": […],
 *       "pagination": {"limit", "offset", "total", "has_more"}}}, newest first; {@code limit} 1 to 100 (default 50),
 *       {@code offset} 0 or more, else 400 {@code invalid_limit} / {@code invalid_offset}.</li>
 *   <li>{@code GET …/voicemails/{id}} 200 {@code {"success": true, "data": voicemail}}.</li>
 *   <li>{@code DELETE …/voicemails/{id}} 200 {@code {"success": true, "deleted": true, "id"}}.</li>
 * </ul>
 * A voicemail is {@code id}, {@code app_id}, {@code call_id}, {@code dialpad_call_id}, {@code from_number},
 * {@code recording_url}, {@code transcription}, {@code duration_ms} (null when unknown) and {@code created_at}.
 * {@code app_id} or {@code id} not a UUID 400 {@code invalid_app_id} / {@code invalid_voicemail_id}; unknown app 404
 * {@code app_not_found}; no such voicemail in this app (another app's included) 404 {@code voicemail_not_found}.
 * Thread-safe.
 */
public final class VoicemailRoutes implements RouteGroup {
    private static final String BASE = "/internal/apps/{app_id}/voicemails";

    private final AppStore apps;
    private final VoicemailStore voicemails;

    private VoicemailRoutes(AppStore apps, VoicemailStore voicemails) {
        this.apps = apps;
        this.voicemails = voicemails;
    }

    /** The routes over these ports. */
    public static VoicemailRoutes create(AppStore apps, VoicemailStore voicemails) {
        return new VoicemailRoutes(Objects.requireNonNull(apps, "apps"),
                Objects.requireNonNull(voicemails, "voicemails"));
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.get(BASE, this::list);
        routes.get(BASE + "/{id}", this::show);
        routes.delete(BASE + "/{id}", this::delete);
    }

    private void list(Context ctx) {
        UUID appId = Requests.existingApp(ctx, apps).id();
        int limit = Requests.limit(ctx);
        int offset = Requests.offset(ctx);
        long total = voicemails.count(appId);
        List<Map<String, Object>> data = offset >= total ? List.of()
                : voicemails.list(appId, limit, offset).stream().map(VoicemailRoutes::fields).toList();
        Map<String, Object> pagination = new LinkedHashMap<>();
        pagination.put("limit", limit);
        pagination.put("offset", offset);
        pagination.put("total", total);
        pagination.put("has_more", (long) offset + data.size() < total);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("success", true);
        answer.put("data", data);
        answer.put("pagination", pagination);
        ctx.json(answer);
    }

    private void show(Context ctx) {
        UUID appId = Requests.existingApp(ctx, apps).id();
        UUID id = Requests.uuidPath(ctx, "id", "invalid_voicemail_id");
        Voicemail voicemail = voicemails.find(appId, id).orElseThrow(VoicemailRoutes::notFound);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("success", true);
        answer.put("data", fields(voicemail));
        ctx.json(answer);
    }

    private void delete(Context ctx) {
        UUID appId = Requests.existingApp(ctx, apps).id();
        UUID id = Requests.uuidPath(ctx, "id", "invalid_voicemail_id");
        if (!voicemails.delete(appId, id)) {
            throw notFound();
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("success", true);
        answer.put("deleted", true);
        answer.put("id", id);
        ctx.json(answer);
    }

    private static Problem notFound() {
        return Problems.notFound("voicemail_not_found", "This app has no such voicemail.");
    }

    private static Map<String, Object> fields(Voicemail voicemail) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", voicemail.id());
        fields.put("app_id", voicemail.appId());
        fields.put("call_id", voicemail.callId());
        fields.put("dialpad_call_id", voicemail.dialpadCallId());
        fields.put("from_number", voicemail.fromNumber().orElse(null));
        fields.put("recording_url", voicemail.recordingUrl().orElse(null));
        fields.put("transcription", voicemail.transcription().orElse(null));
        fields.put("duration_ms", voicemail.durationMillis().orElse(null));
        fields.put("created_at", voicemail.createdAt());
        return fields;
    }
}
