package dev.switchboard.http;

import dev.switchboard.core.apikey.ApiKeyCheck;
import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallDirection;
import dev.switchboard.core.calls.CallFilter;
import dev.switchboard.core.calls.CallPage;
import dev.switchboard.core.calls.CallParty;
import dev.switchboard.core.calls.CallStatus;
import dev.switchboard.core.calls.CallStore;
import dev.switchboard.core.calls.DialpadCallState;
import dev.switchboard.core.data.DataVersions;
import dev.switchboard.core.messages.Message;
import dev.switchboard.core.messages.MessageDirection;
import dev.switchboard.core.messages.MessageFilter;
import dev.switchboard.core.messages.MessagePage;
import dev.switchboard.core.messages.MessageStore;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.javalin.config.RoutesConfig;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;

/**
 * The data API of CONTRACT.md ("Data API for apps"), under {@code /api/*}: every request first passes the API key
 * check ({@code x-app-api-key: raw_…} or {@code Authorization: Bearer raw_…}; 401 {@code missing_api_key} or
 * {@code invalid_api_key} with {@code WWW-Authenticate: Bearer}, 403 {@code app_inactive} for the genuine key of a
 * deactivated app), then sees only its own app's rows.
 *
 * <ul>
 *   <li>{@code GET /api/calls}: filters {@code status} (ringing, active, ended, missed, rejected, voicemail),
 *       {@code direction} (inbound, outbound), {@code from}/{@code to} (on the call's start time, see
 *       {@link QueryFilters.TimeRange}), {@code limit} 1–100 (50), {@code offset} 0–1,000,000 (0). Newest start
 *       first.</li>
 *   <li>{@code GET /api/calls/active}: ringing and active calls, same envelope, {@code limit}/{@code offset}.</li>
 *   <li>{@code GET /api/calls/{id}}: one call; 400 {@code invalid_id} unless a UUID, 404 {@code call_not_found}
 *       when unknown or another app's.</li>
 *   <li>{@code GET /api/messages}: filters {@code direction}, {@code from}/{@code to} (on the creation time),
 *       {@code dialpad_user_id}, {@code from_number}, {@code to_number}, {@code limit}, {@code offset}. Newest
 *       first.</li>
 *   <li>{@code GET /api/messages/{id}}: one message; 400 {@code invalid_id}, 404 {@code message_not_found}.</li>
 * </ul>
 * Lists answer {@code {"success": true, "data": [...], "pagination": {"limit", "offset", "total", "has_more"}}},
 * single items the same envelope with the item as {@code data} and a page of one
 * ({@code {"limit": 1, "offset": 0, "total": 1, "has_more": false}}). An invalid filter value is 400
 * {@code invalid_filter} naming the parameter; unknown parameters are ignored. Thread-safe.
 */
public final class DataApiRoutes implements RouteGroup {
    static final String APP_ATTRIBUTE = "switchboard.app";

    /** Most bytes of answers kept for reuse, over all apps. */
    static final long MAX_CACHED_BYTES = 16L * 1024 * 1024;

    /** One answer of one app to one path and query. */
    private record AnswerKey(UUID appId, String request) {
    }

    /** An answer's JSON and the app's data version it was read at. */
    private record CachedAnswer(long version, byte[] body) {
    }

    private final AppAuthenticator authenticator;
    private final CallStore calls;
    private final MessageStore messages;
    private final DataVersions versions;
    private final Cache<AnswerKey, CachedAnswer> answers;

    private DataApiRoutes(AppAuthenticator authenticator, CallStore calls, MessageStore messages,
                          DataVersions versions) {
        this.authenticator = authenticator;
        this.calls = calls;
        this.messages = messages;
        this.versions = versions;
        this.answers = Caffeine.newBuilder()
                .maximumWeight(MAX_CACHED_BYTES)
                .weigher((AnswerKey key, CachedAnswer answer) -> answer.body().length + key.request().length())
                .expireAfterWrite(Duration.ofMinutes(5))
                .build();
    }

    /** The routes over {@code calls} and {@code messages}, guarded by {@code authenticator}; nothing is reused. */
    public static DataApiRoutes create(AppAuthenticator authenticator, CallStore calls, MessageStore messages) {
        return create(authenticator, calls, messages, DataVersions.create());
    }

    /**
     * The routes over {@code calls} and {@code messages}, guarded by {@code authenticator}, reusing an answer while
     * {@code versions} says the app's data has not changed since it was read (see {@link DataVersions}: a change
     * counts once its notice arrived, and nothing is reused while notices are not tracked).
     */
    public static DataApiRoutes create(AppAuthenticator authenticator, CallStore calls, MessageStore messages,
                                       DataVersions versions) {
        return new DataApiRoutes(Objects.requireNonNull(authenticator, "authenticator"),
                Objects.requireNonNull(calls, "calls"), Objects.requireNonNull(messages, "messages"),
                Objects.requireNonNull(versions, "versions"));
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.before("/api/*", this::authenticate);
        routes.get("/api/calls", ctx -> answer(ctx, this::listCalls));
        routes.get("/api/calls/active", ctx -> answer(ctx, this::activeCalls));
        routes.get("/api/calls/{id}", ctx -> answer(ctx, this::showCall));
        routes.get("/api/messages", ctx -> answer(ctx, this::listMessages));
        routes.get("/api/messages/{id}", ctx -> answer(ctx, this::showMessage));
    }

    /** The app the API key check let through for this request. */
    static AppAuthenticator.AuthenticatedApp app(Context ctx) {
        AppAuthenticator.AuthenticatedApp app = ctx.attribute(APP_ATTRIBUTE);
        if (app == null) {
            throw new IllegalStateException("the API key check did not run for this route");
        }
        return app;
    }

    /**
     * Answers with the JSON of {@code read}, or with the same bytes as before when the app's data version is the one
     * that answer was read at. The version is taken before reading, so a change committed during the read makes the
     * kept answer stale. Only successful answers are kept; a refusal (a thrown {@link Problem}) is never reused.
     */
    private void answer(Context ctx, Function<Context, Map<String, Object>> read) {
        UUID appId = app(ctx).appId();
        OptionalLong version = versions.current(appId);
        String query = ctx.queryString();
        AnswerKey key = new AnswerKey(appId, query == null ? ctx.path() : ctx.path() + '?' + query);
        if (version.isPresent()) {
            CachedAnswer kept = answers.getIfPresent(key);
            if (kept != null && kept.version() == version.getAsLong()) {
                ctx.contentType(ContentType.APPLICATION_JSON).result(kept.body());
                return;
            }
        }
        byte[] body = ctx.jsonMapper().toJsonString(read.apply(ctx), Map.class).getBytes(StandardCharsets.UTF_8);
        if (version.isPresent()) {
            answers.put(key, new CachedAnswer(version.getAsLong(), body));
        }
        ctx.contentType(ContentType.APPLICATION_JSON).result(body);
    }

    private void authenticate(Context ctx) {
        Optional<String> presented = AppAuthenticator.presentedKey(ctx.header("x-app-api-key"),
                ctx.header("Authorization"));
        if (presented.isEmpty()) {
            throw unauthorized("missing_api_key",
                    "An API key is required: send x-app-api-key or Authorization: Bearer.");
        }
        ApiKeyCheck check = authenticator.check(presented.get());
        if (check instanceof ApiKeyCheck.Authenticated ok) {
            ctx.attribute(APP_ATTRIBUTE, new AppAuthenticator.AuthenticatedApp(ok.appId(), ok.keyHint()));
            return;
        }
        if (!(check instanceof ApiKeyCheck.Rejected rejected)) {
            throw new IllegalStateException("unhandled key check " + check.getClass().getSimpleName());
        }
        ApiKeyCheck.Reason reason = rejected.reason();
        if (reason == ApiKeyCheck.Reason.APP_INACTIVE) {
            throw Problems.forbidden("app_inactive", "This app is inactive.");
        }
        throw unauthorized("invalid_api_key", "The API key is not valid.");
    }

    private static Problem unauthorized(String code, String message) {
        // RFC 6750 section 3: a 401 names the scheme it expects
        return new Problem(401, code, message, Map.of("WWW-Authenticate", "Bearer realm=\"switchboard\""));
    }

    private Map<String, Object> listCalls(Context ctx) {
        UUID appId = app(ctx).appId();
        Optional<CallStatus> status = QueryFilters.choice(ctx, "status", CallStatus::fromJson,
                "ringing, active, ended, missed, rejected, voicemail");
        Optional<CallDirection> direction = QueryFilters.choice(ctx, "direction", CallDirection::fromJson,
                "inbound, outbound");
        QueryFilters.TimeRange range = QueryFilters.timeRange(ctx);
        int limit = QueryFilters.limit(ctx, CallFilter.DEFAULT_LIMIT, CallFilter.MAX_LIMIT);
        int offset = QueryFilters.offset(ctx);
        CallPage page = calls.list(appId, new CallFilter(status, direction, range.from(), range.to(), limit, offset));
        return page(page.calls().stream().map(DataApiRoutes::callFields).toList(), limit, offset, page.total(),
                page.hasMore());
    }

    private Map<String, Object> activeCalls(Context ctx) {
        UUID appId = app(ctx).appId();
        int limit = QueryFilters.limit(ctx, CallFilter.DEFAULT_LIMIT, CallFilter.MAX_LIMIT);
        int offset = QueryFilters.offset(ctx);
        // an app has a handful of live calls; 1,000 is far above any real switchboard's concurrent calls
        List<Call> active = calls.active(appId, 1000);
        List<Map<String, Object>> data = active.stream().skip(offset).limit(limit).map(DataApiRoutes::callFields)
                .toList();
        return page(data, limit, offset, active.size(), offset + (long) data.size() < active.size());
    }

    private Map<String, Object> showCall(Context ctx) {
        UUID appId = app(ctx).appId();
        UUID id = pathId(ctx);
        Call call = calls.find(appId, id)
                .orElseThrow(() -> Problems.notFound("call_not_found", "No call of this app has this id."));
        return single(callFields(call));
    }

    private Map<String, Object> listMessages(Context ctx) {
        UUID appId = app(ctx).appId();
        Optional<MessageDirection> direction = QueryFilters.choice(ctx, "direction", MessageDirection::fromJson,
                "inbound, outbound");
        QueryFilters.TimeRange range = QueryFilters.timeRange(ctx);
        Optional<String> userId = QueryFilters.text(ctx, "dialpad_user_id");
        Optional<String> fromNumber = QueryFilters.text(ctx, "from_number");
        Optional<String> toNumber = QueryFilters.text(ctx, "to_number");
        int limit = QueryFilters.limit(ctx, MessageFilter.DEFAULT_LIMIT, MessageFilter.MAX_LIMIT);
        int offset = QueryFilters.offset(ctx);
        MessagePage page = messages.list(appId, new MessageFilter(direction, range.from(), range.to(), fromNumber,
                toNumber, userId, limit, offset));
        return page(page.messages().stream().map(DataApiRoutes::messageFields).toList(), limit, offset,
                page.total(), page.hasMore());
    }

    private Map<String, Object> showMessage(Context ctx) {
        UUID appId = app(ctx).appId();
        UUID id = pathId(ctx);
        Message message = messages.find(appId, id)
                .orElseThrow(() -> Problems.notFound("message_not_found", "No message of this app has this id."));
        return single(messageFields(message));
    }

    private static UUID pathId(Context ctx) {
        return QueryFilters.uuid(ctx.pathParam("id"))
                .orElseThrow(() -> Problems.badRequest("invalid_id", "id must be a UUID."));
    }

    /** The envelope of every answer: the data and its page. */
    private static Map<String, Object> page(Object data, int limit, int offset, long total, boolean hasMore) {
        Map<String, Object> pagination = new LinkedHashMap<>();
        pagination.put("limit", limit);
        pagination.put("offset", offset);
        pagination.put("total", total);
        pagination.put("has_more", hasMore);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("data", data);
        body.put("pagination", pagination);
        return body;
    }

    /** One item in the same envelope as the lists, as the contract gives it: a page of one. */
    private static Map<String, Object> single(Map<String, Object> data) {
        return page(data, 1, 0, 1, false);
    }

    /**
     * A call as the API shows it. {@code duration} is whole seconds (what a CRM shows), {@code duration_ms} the
     * exact milliseconds Dialpad reported; {@code states_seen} lists Dialpad's states received for the call.
     */
    static Map<String, Object> callFields(Call call) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", call.id());
        fields.put("dialpad_call_id", call.dialpadCallId());
        fields.put("status", call.status().jsonName());
        fields.put("direction", call.direction().map(CallDirection::jsonName).orElse(null));
        fields.put("external_number", call.externalNumber().orElse(null));
        fields.put("internal_number", call.internalNumber().orElse(null));
        fields.put("dialpad_user_id", call.dialpadUserId().orElse(null));
        fields.put("target", call.target().map(DataApiRoutes::partyFields).orElse(null));
        fields.put("contact", call.contact().map(DataApiRoutes::partyFields).orElse(null));
        fields.put("master_call_id", call.masterCallId().orElse(null));
        fields.put("entry_point_call_id", call.entryPointCallId().orElse(null));
        fields.put("started_at", call.startedAt().orElse(null));
        fields.put("answered_at", call.answeredAt().orElse(null));
        fields.put("ended_at", call.endedAt().orElse(null));
        fields.put("duration", call.durationMillis().map(ms -> ms / 1000).orElse(null));
        fields.put("duration_ms", call.durationMillis().orElse(null));
        fields.put("recording_url", call.recordingUrl().orElse(null));
        fields.put("voicemail_url", call.voicemailUrl().orElse(null));
        fields.put("transcription", call.transcription().orElse(null));
        fields.put("last_event_at", call.lastEventAt().orElse(null));
        fields.put("states_seen", call.statesSeen().stream().map(DialpadCallState::wireName).toList());
        return fields;
    }

    private static Map<String, Object> partyFields(CallParty party) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", party.id().orElse(null));
        fields.put("type", party.type().orElse(null));
        fields.put("name", party.name().orElse(null));
        fields.put("phone", party.phone().orElse(null));
        return fields;
    }

    /** A message as the API shows it. */
    static Map<String, Object> messageFields(Message message) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("id", message.id());
        fields.put("dialpad_message_id", message.dialpadMessageId());
        fields.put("direction", message.direction().jsonName());
        fields.put("from_number", message.fromNumber().orElse(null));
        fields.put("to_numbers", message.toNumbers());
        fields.put("text", message.text().orElse(null));
        fields.put("dialpad_user_id", message.dialpadUserId().orElse(null));
        fields.put("created_at", message.createdAt());
        return fields;
    }
}
