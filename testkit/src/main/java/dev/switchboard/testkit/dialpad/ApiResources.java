package dev.switchboard.testkit.dialpad;

import com.fasterxml.jackson.databind.JsonNode;
import dev.switchboard.testkit.dialpad.HttpMessages.Response;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Webhooks and event subscriptions of the REST API, kept per organisation (an organisation never sees another's).
 * Creations run under this object's lock so the per-organisation limits hold under concurrency; reads are
 * lock-free. Thread-safe.
 */
final class ApiResources {
    /** Dialpad's call states (DIALPAD.md). */
    static final Set<String> CALL_STATES = Set.of("calling", "ringing", "preanswer", "queued", "connected", "hold",
            "merged", "parked", "transcription", "call_transcription", "recording", "admin_recording", "voicemail",
            "voicemail_uploaded", "missed", "hangup", "postcall", "dispositions", "csat", "pcsat", "blocked",
            "barge", "monitor", "takeover", "admin", "ai_playbook", "recap_summary", "recap_outcome",
            "recap_purposes", "recap_action_items", "all");
    private static final Set<String> TARGET_TYPES = Set.of("callcenter", "coachinggroup", "coachingteam",
            "department", "office", "room", "staffgroup", "user");
    private static final Set<String> SMS_DIRECTIONS = Set.of("all", "inbound", "outbound");
    /** DIALPAD.md: 100 subscriptions per type, of which 10 company-wide. */
    private static final int MAX_PER_TYPE = 100;
    private static final int MAX_COMPANY_WIDE_PER_TYPE = 10;

    private final Map<Long, FakeWebhook> webhooks = new ConcurrentHashMap<>();
    private final Map<Long, FakeSubscription> subscriptions = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(6_000_000_000_000_000L);

    volatile boolean idsAsStrings;

    List<FakeWebhook> webhooks(long organisationId) {
        return webhooks.values().stream().filter(webhook -> webhook.organisationId() == organisationId)
                .sorted(Comparator.comparingLong(FakeWebhook::id)).toList();
    }

    List<FakeSubscription> subscriptions(long organisationId) {
        return subscriptions.values().stream().filter(sub -> sub.organisationId() == organisationId)
                .sorted(Comparator.comparingLong(FakeSubscription::id)).toList();
    }

    Optional<FakeWebhook> webhook(long id) {
        return Optional.ofNullable(webhooks.get(id));
    }

    Object id(long value) {
        return idsAsStrings ? Long.toString(value) : value;
    }

    // ---- /api/v2/webhooks ----

    Response webhooks(String method, String rest, long organisation, byte[] body) {
        if (rest.isEmpty()) {
            return switch (method) {
                case "GET" -> list(webhooks(organisation).stream().map(this::webhookJson).toList());
                case "POST" -> createWebhook(organisation, body);
                default -> notAllowed("GET, POST");
            };
        }
        Optional<FakeWebhook> found = parseId(rest).map(webhooks::get)
                .filter(webhook -> webhook.organisationId() == organisation);
        if (found.isEmpty()) {
            return HttpMessages.apiError(404, "webhook not found");
        }
        return switch (method) {
            case "GET" -> Response.json(200, webhookJson(found.get()));
            case "DELETE" -> {
                webhooks.remove(found.get().id());
                yield Response.json(200, webhookJson(found.get()));
            }
            case "PATCH" -> updateWebhook(found.get(), body);
            default -> notAllowed("GET, PATCH, DELETE");
        };
    }

    /** {@code PATCH /api/v2/webhooks/{id}}: a new {@code hook_url} and/or {@code secret}; others are kept. */
    private Response updateWebhook(FakeWebhook webhook, byte[] body) {
        Optional<JsonNode> json = HttpMessages.jsonObject(body);
        if (json.isEmpty()) {
            return HttpMessages.apiError(400, "expected a JSON object");
        }
        String hookUrl = webhook.hookUrl();
        JsonNode newHookUrl = json.get().get("hook_url");
        if (newHookUrl != null) {
            if (!newHookUrl.isTextual() || !isHttpUrl(newHookUrl.asText())) {
                return HttpMessages.apiError(400, "hook_url must be an absolute http(s) URL");
            }
            hookUrl = newHookUrl.asText();
        }
        String secret = webhook.secret();
        JsonNode newSecret = json.get().get("secret");
        if (newSecret != null) {
            if (!newSecret.isTextual() || newSecret.asText().isEmpty()) {
                return HttpMessages.apiError(400, "secret must be a non-empty string");
            }
            secret = newSecret.asText();
        }
        FakeWebhook updated = new FakeWebhook(webhook.id(), webhook.organisationId(), hookUrl, secret);
        webhooks.put(updated.id(), updated);
        return Response.json(200, webhookJson(updated));
    }

    private Response createWebhook(long organisation, byte[] body) {
        Optional<JsonNode> json = HttpMessages.jsonObject(body);
        if (json.isEmpty()) {
            return HttpMessages.apiError(400, "expected a JSON object");
        }
        JsonNode hookUrl = json.get().get("hook_url");
        if (hookUrl == null || !hookUrl.isTextual() || !isHttpUrl(hookUrl.asText())) {
            return HttpMessages.apiError(400, "hook_url must be an absolute http(s) URL");
        }
        JsonNode secret = json.get().get("secret");
        if (secret != null && !secret.isNull() && (!secret.isTextual() || secret.asText().isEmpty())) {
            return HttpMessages.apiError(400, "secret must be a non-empty string");
        }
        FakeWebhook webhook = new FakeWebhook(ids.incrementAndGet(), organisation, hookUrl.asText(),
                secret == null || secret.isNull() ? null : secret.asText());
        webhooks.put(webhook.id(), webhook);
        return Response.json(200, webhookJson(webhook));
    }

    private Map<String, Object> webhookJson(FakeWebhook webhook) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id(webhook.id()));
        json.put("hook_url", webhook.hookUrl());
        if (webhook.secret() != null) {
            Map<String, Object> signature = new LinkedHashMap<>();
            signature.put("algo", "HS256");
            signature.put("secret", webhook.secret());
            signature.put("type", "jwt");
            json.put("signature", signature);
        }
        return json;
    }

    // ---- /api/v2/subscriptions/{call,sms} ----

    Response subscriptions(DialpadEvent.Kind kind, String method, String rest, long organisation, byte[] body) {
        if (rest.isEmpty()) {
            return switch (method) {
                case "GET" -> list(subscriptions(organisation).stream().filter(sub -> sub.kind() == kind)
                        .map(this::subscriptionJson).toList());
                case "POST" -> createSubscription(kind, organisation, body);
                default -> notAllowed("GET, POST");
            };
        }
        Optional<FakeSubscription> found = parseId(rest).map(subscriptions::get)
                .filter(sub -> sub.organisationId() == organisation && sub.kind() == kind);
        if (found.isEmpty()) {
            return HttpMessages.apiError(404, "subscription not found");
        }
        return switch (method) {
            case "GET" -> Response.json(200, subscriptionJson(found.get()));
            case "DELETE" -> {
                subscriptions.remove(found.get().id());
                yield Response.json(200, subscriptionJson(found.get()));
            }
            default -> notAllowed("GET, DELETE");
        };
    }

    private Response createSubscription(DialpadEvent.Kind kind, long organisation, byte[] body) {
        Optional<JsonNode> parsed = HttpMessages.jsonObject(body);
        if (parsed.isEmpty()) {
            return HttpMessages.apiError(400, "expected a JSON object");
        }
        JsonNode json = parsed.get();
        // older material names the webhook "webhook_id"; Dialpad's spec says "endpoint_id"
        Optional<Long> endpointId = longValue(json.has("endpoint_id") ? json.get("endpoint_id")
                : json.get("webhook_id"));
        if (endpointId.isEmpty()) {
            return HttpMessages.apiError(400, "endpoint_id is required");
        }
        FakeWebhook webhook = webhooks.get(endpointId.get());
        if (webhook == null || webhook.organisationId() != organisation) {
            return HttpMessages.apiError(400, "endpoint_id does not name a webhook of this company");
        }
        List<String> callStates = new ArrayList<>();
        String direction = null;
        if (kind == DialpadEvent.Kind.CALL) {
            JsonNode states = json.get("call_states");
            if (states == null || !states.isArray() || states.isEmpty()) {
                return HttpMessages.apiError(400, "call_states must be a non-empty array");
            }
            for (JsonNode state : states) {
                if (!state.isTextual() || !CALL_STATES.contains(state.asText())) {
                    return HttpMessages.apiError(400, "unknown call state");
                }
                callStates.add(state.asText());
            }
        } else {
            JsonNode value = json.get("direction");
            direction = value == null || value.isNull() ? "all" : value.asText();
            if (!SMS_DIRECTIONS.contains(direction)) {
                return HttpMessages.apiError(400, "direction must be all, inbound or outbound");
            }
        }
        Optional<Boolean> enabled = booleanValue(json.get("enabled"), true);
        Optional<Boolean> groupCallsOnly = booleanValue(json.get("group_calls_only"), false);
        if (enabled.isEmpty() || groupCallsOnly.isEmpty()) {
            return HttpMessages.apiError(400, "enabled and group_calls_only must be booleans");
        }
        JsonNode targetTypeNode = json.get("target_type");
        String targetType = targetTypeNode == null || targetTypeNode.isNull() ? null : targetTypeNode.asText();
        Optional<Long> targetId = longValue(json.get("target_id"));
        if ((targetType == null) != targetId.isEmpty()) {
            return HttpMessages.apiError(400, "target_type and target_id go together");
        }
        if (targetType != null && !TARGET_TYPES.contains(targetType)) {
            return HttpMessages.apiError(400, "unknown target_type");
        }
        synchronized (this) {
            List<FakeSubscription> existing = subscriptions(organisation).stream()
                    .filter(sub -> sub.kind() == kind).toList();
            if (existing.size() >= MAX_PER_TYPE) {
                return HttpMessages.apiError(400, "too many subscriptions of this type");
            }
            if (targetType == null && existing.stream().filter(sub -> sub.targetType() == null).count()
                    >= MAX_COMPANY_WIDE_PER_TYPE) {
                return HttpMessages.apiError(400, "too many company-wide subscriptions of this type");
            }
            FakeSubscription subscription = new FakeSubscription(ids.incrementAndGet(), organisation, kind,
                    webhook.id(), callStates, direction, enabled.get(), groupCallsOnly.get(), targetType,
                    targetId.orElse(null));
            subscriptions.put(subscription.id(), subscription);
            return Response.json(200, subscriptionJson(subscription));
        }
    }

    private Map<String, Object> subscriptionJson(FakeSubscription subscription) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id(subscription.id()));
        if (subscription.kind() == DialpadEvent.Kind.CALL) {
            json.put("call_states", subscription.callStates());
            json.put("group_calls_only", subscription.groupCallsOnly());
        } else {
            json.put("direction", subscription.direction());
        }
        json.put("enabled", subscription.enabled());
        json.put("target_type", subscription.targetType());
        json.put("target_id", subscription.targetId() == null ? null : id(subscription.targetId()));
        json.put("endpoint_id", id(subscription.webhookId()));
        FakeWebhook webhook = webhooks.get(subscription.webhookId());
        json.put("webhook", webhook == null ? null : webhookJson(webhook));
        json.put("websocket", null);
        return json;
    }

    private static Response list(List<Map<String, Object>> items) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("cursor", null);
        json.put("items", items);
        return Response.json(200, json);
    }

    private static Response notAllowed(String allowed) {
        return HttpMessages.apiError(405, "method not allowed").withHeader("Allow", allowed);
    }

    private static Optional<Long> parseId(String rest) {
        String id = rest.startsWith("/") ? rest.substring(1) : rest;
        try {
            return id.isEmpty() || id.contains("/") ? Optional.empty() : Optional.of(Long.parseLong(id));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Long> longValue(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return Optional.of(node.asLong());
        }
        if (node.isTextual()) {
            return parseId(node.asText());
        }
        return Optional.empty();
    }

    private static Optional<Boolean> booleanValue(JsonNode node, boolean absent) {
        if (node == null || node.isNull()) {
            return Optional.of(absent);
        }
        return node.isBoolean() ? Optional.of(node.asBoolean()) : Optional.empty();
    }

    private static boolean isHttpUrl(String value) {
        try {
            URI uri = URI.create(value);
            return uri.isAbsolute() && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
