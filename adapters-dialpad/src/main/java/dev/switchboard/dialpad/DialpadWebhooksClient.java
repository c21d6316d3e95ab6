package dev.switchboard.dialpad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.common.contenttype.ContentType;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import dev.switchboard.core.webhook.DialpadWebhookAdmin;
import dev.switchboard.core.webhook.DialpadWebhookSecret;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link DialpadWebhookAdmin} over Dialpad's REST API ({@code /api/v2/webhooks} and {@code /api/v2/subscriptions}).
 * Requests carry the connection's access token as {@code Authorization: Bearer}; bodies are JSON. Subscriptions name
 * their webhook with {@code endpoint_id} (Dialpad's current name; older material says {@code webhook_id}).
 *
 * <p>Logs name the call, the status and the duration only: never a token, a webhook secret (Dialpad echoes it back in
 * {@code signature.secret}) or a body. Immutable and thread-safe.
 */
public final class DialpadWebhooksClient implements DialpadWebhookAdmin {
    private static final Logger LOG = LoggerFactory.getLogger(DialpadWebhooksClient.class);
    private static final Pattern CALL_STATE = Pattern.compile("[a-z_]{1,40}");
    private static final Pattern DIGITS = Pattern.compile("[0-9]{1,18}");
    // Dialpad pages its listings; a company has at most a handful of webhooks, so this only stops a runaway cursor.
    private static final int MAX_PAGES = 20;

    private final DialpadEndpoints endpoints;
    private final DialpadTransport transport;

    private DialpadWebhooksClient(DialpadEndpoints endpoints, DialpadTransport transport) {
        this.endpoints = endpoints;
        this.transport = transport;
    }

    /** A client for the Dialpad host of {@code endpoints}, with the given connect and read timeouts. */
    public static DialpadWebhooksClient create(DialpadEndpoints endpoints, Duration connectTimeout,
                                               Duration readTimeout) {
        Objects.requireNonNull(endpoints, "endpoints");
        return new DialpadWebhooksClient(endpoints, DialpadTransport.create(connectTimeout, readTimeout));
    }

    /** A client with the default timeouts (5 s connect, 10 s read). */
    public static DialpadWebhooksClient create(DialpadEndpoints endpoints) {
        return create(endpoints, DialpadClientSettings.DEFAULT_CONNECT_TIMEOUT,
                DialpadClientSettings.DEFAULT_READ_TIMEOUT);
    }

    @Override
    public Creation createWebhook(String accessToken, URI hookUrl, DialpadWebhookSecret secret) {
        NimbusDialpadClient.requireText(accessToken, "accessToken");
        Objects.requireNonNull(hookUrl, "hookUrl");
        Objects.requireNonNull(secret, "secret");
        String scheme = hookUrl.getScheme() == null ? "" : hookUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || hookUrl.getHost() == null) {
            throw new IllegalArgumentException("a hook URL must be an absolute http(s) URL");
        }
        ObjectNode body = DialpadJson.MAPPER.createObjectNode();
        body.put("hook_url", hookUrl.toString());
        body.put("secret", secret.value());
        return create(DialpadCall.WEBHOOK_CREATE, endpoints.webhooks(), accessToken, body);
    }

    /**
     * {@inheritDoc}
     *
     * @param callStates Dialpad call states such as {@code ringing}, {@code connected}, {@code hangup}, or
     *                   {@code all}; lowercase letters and underscores
     */
    @Override
    public Creation createCallSubscription(String accessToken, String webhookId, List<String> callStates) {
        NimbusDialpadClient.requireText(accessToken, "accessToken");
        DialpadWebhookAdmin.validId(webhookId);
        Objects.requireNonNull(callStates, "callStates");
        if (callStates.isEmpty() || !callStates.stream().allMatch(s -> s != null && CALL_STATE.matcher(s).matches())) {
            throw new IllegalArgumentException("at least one call state of lowercase letters and underscores");
        }
        ObjectNode body = DialpadJson.MAPPER.createObjectNode();
        putId(body, "endpoint_id", webhookId);
        ArrayNode states = body.putArray("call_states");
        callStates.forEach(states::add);
        body.put("enabled", true);
        body.put("group_calls_only", false);
        return create(DialpadCall.CALL_SUBSCRIPTION_CREATE, endpoints.callSubscriptions(), accessToken, body);
    }

    @Override
    public Creation createSmsSubscription(String accessToken, String webhookId) {
        NimbusDialpadClient.requireText(accessToken, "accessToken");
        DialpadWebhookAdmin.validId(webhookId);
        ObjectNode body = DialpadJson.MAPPER.createObjectNode();
        putId(body, "endpoint_id", webhookId);
        body.put("direction", "all");
        body.put("enabled", true);
        return create(DialpadCall.SMS_SUBSCRIPTION_CREATE, endpoints.smsSubscriptions(), accessToken, body);
    }

    @Override
    public Removal deleteWebhook(String accessToken, String webhookId) {
        return delete(DialpadCall.WEBHOOK_DELETE, endpoints.webhook(DialpadWebhookAdmin.validId(webhookId)),
                accessToken);
    }

    @Override
    public Update updateWebhookSecret(String accessToken, String webhookId, URI hookUrl,
                                      DialpadWebhookSecret secret) {
        NimbusDialpadClient.requireText(accessToken, "accessToken");
        Objects.requireNonNull(hookUrl, "hookUrl");
        Objects.requireNonNull(secret, "secret");
        URI uri = endpoints.webhook(DialpadWebhookAdmin.validId(webhookId));
        ObjectNode body = DialpadJson.MAPPER.createObjectNode();
        body.put("hook_url", hookUrl.toString());
        body.put("secret", secret.value());
        HTTPRequest request = new HTTPRequest(HTTPRequest.Method.PUT, uri);
        authorize(request, accessToken);
        jsonBody(request, body);
        // the answer echoes the secret: only its status is looked at
        return byStatus(Update.class, DialpadCall.WEBHOOK_UPDATE, request, "PATCH", new Updated(),
                "no such webhook");
    }

    @Override
    public Removal deleteCallSubscription(String accessToken, String subscriptionId) {
        return delete(DialpadCall.CALL_SUBSCRIPTION_DELETE,
                endpoints.callSubscription(DialpadWebhookAdmin.validId(subscriptionId)), accessToken);
    }

    @Override
    public Removal deleteSmsSubscription(String accessToken, String subscriptionId) {
        return delete(DialpadCall.SMS_SUBSCRIPTION_DELETE,
                endpoints.smsSubscription(DialpadWebhookAdmin.validId(subscriptionId)), accessToken);
    }

    @Override
    public Listing listWebhooks(String accessToken) {
        NimbusDialpadClient.requireText(accessToken, "accessToken");
        List<RemoteWebhook> webhooks = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < MAX_PAGES; page++) {
            HTTPRequest request = new HTTPRequest(HTTPRequest.Method.GET, pageUri(cursor));
            authorize(request, accessToken);
            DialpadReply reply = transport.send(DialpadCall.WEBHOOK_LIST, request);
            if (reply instanceof DialpadReply.Failed failed) {
                return new Unavailable(failed.reason());
            }
            if (!(reply instanceof DialpadReply.Answered answer)) {
                throw new IllegalStateException("unexpected outcome " + reply.getClass().getName());
            }
            if (answer.status() != 200) {
                return NimbusDialpadClient.isRefusal(answer.status())
                        ? refusal(DialpadCall.WEBHOOK_LIST, answer.status())
                        : unavailable(DialpadCall.WEBHOOK_LIST, answer.status());
            }
            Optional<ObjectNode> body = DialpadJson.object(answer.body());
            if (body.isEmpty()) {
                return new Unavailable("Dialpad's webhook listing was not a JSON object");
            }
            JsonNode items = body.get().get("items");
            if (items != null && items.isArray()) {
                for (JsonNode item : items) {
                    remoteWebhook(item).ifPresent(webhooks::add);
                }
            }
            cursor = DialpadJson.text(body.get(), "cursor");
            if (cursor == null || cursor.isBlank()) {
                return new Listed(webhooks);
            }
        }
        return new Unavailable("Dialpad's webhook listing did not end after " + MAX_PAGES + " pages");
    }

    private Creation create(DialpadCall call, URI uri, String accessToken, ObjectNode body) {
        HTTPRequest request = new HTTPRequest(HTTPRequest.Method.POST, uri);
        authorize(request, accessToken);
        jsonBody(request, body);
        DialpadReply reply = transport.send(call, request);
        if (reply instanceof DialpadReply.Failed failed) {
            return new Unavailable(failed.reason());
        }
        if (!(reply instanceof DialpadReply.Answered answer)) {
            throw new IllegalStateException("unexpected outcome " + reply.getClass().getName());
        }
        int status = answer.status();
        if (status >= 200 && status < 300) {
            String id = DialpadJson.object(answer.body()).map(created -> DialpadJson.id(created, "id")).orElse(null);
            try {
                Created created = new Created(Objects.requireNonNullElse(id, ""));
                LOG.info("Dialpad {} succeeded", call);
                return created;
            } catch (IllegalArgumentException unusable) {
                return new Unavailable("Dialpad's answer to the " + call + " has no usable id");
            }
        }
        return NimbusDialpadClient.isRefusal(status) ? refusal(call, status) : unavailable(call, status);
    }

    private Removal delete(DialpadCall call, URI uri, String accessToken) {
        NimbusDialpadClient.requireText(accessToken, "accessToken");
        HTTPRequest request = new HTTPRequest(HTTPRequest.Method.DELETE, uri);
        authorize(request, accessToken);
        return byStatus(Removal.class, call, request, "DELETE", new Removed(), "nothing to delete");
    }

    /**
     * Sends a request whose answer counts by its status alone: a 2xx is {@code done}, a 404 {@link NotFound}, a
     * refusal {@link Refused}, anything else (or no answer) {@link Unavailable}; each of them is an {@code outcome}.
     * {@code method} goes on the wire.
     */
    private <T> T byStatus(Class<T> outcome, DialpadCall call, HTTPRequest request, String method, T done,
                           String absent) {
        DialpadReply reply = transport.send(call, request, method);
        if (reply instanceof DialpadReply.Failed failed) {
            return outcome.cast(new Unavailable(failed.reason()));
        }
        if (!(reply instanceof DialpadReply.Answered answer)) {
            throw new IllegalStateException("unexpected outcome " + reply.getClass().getName());
        }
        int status = answer.status();
        if (status >= 200 && status < 300) {
            LOG.info("Dialpad {} succeeded", call);
            return done;
        }
        if (status == 404) {
            LOG.info("Dialpad {}: {}", call, absent);
            return outcome.cast(new NotFound());
        }
        return outcome.cast(NimbusDialpadClient.isRefusal(status) ? refusal(call, status) : unavailable(call, status));
    }

    private static void jsonBody(HTTPRequest request, ObjectNode body) {
        request.setEntityContentType(ContentType.APPLICATION_JSON);
        try {
            request.setBody(DialpadJson.MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("a JSON object of strings could not be written", impossible);
        }
    }

    private static Refused refusal(DialpadCall call, int status) {
        String code = switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 409 -> "conflict";
            case 422 -> "unprocessable";
            default -> "http_" + status;
        };
        String description = switch (status) {
            case 401 -> "Dialpad did not accept the app's access token for the " + call + ".";
            case 403 -> "Dialpad does not allow the " + call + " with the app's access token.";
            default -> "Dialpad refused the " + call + " (HTTP " + status + ").";
        };
        Refused refused = new Refused(status, code, description);
        LOG.info("Dialpad {} did not succeed: {}", call, refused);
        return refused;
    }

    private static Unavailable unavailable(DialpadCall call, int status) {
        Unavailable unavailable = new Unavailable(NimbusDialpadClient.unusableStatus(status, call));
        LOG.info("Dialpad {} did not succeed: {}", call, unavailable);
        return unavailable;
    }

    private URI pageUri(String cursor) {
        URI base = endpoints.webhooks();
        return cursor == null ? base : URI.create(base + "?cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
    }

    private static Optional<RemoteWebhook> remoteWebhook(JsonNode item) {
        if (!(item instanceof ObjectNode webhook)) {
            return Optional.empty();
        }
        String id = DialpadJson.id(webhook, "id");
        String hookUrl = DialpadJson.text(webhook, "hook_url");
        if (id == null || hookUrl == null) {
            return Optional.empty();
        }
        JsonNode signature = webhook.get("signature");
        boolean signed = signature != null && signature.isObject() && signature.hasNonNull("secret");
        try {
            return Optional.of(new RemoteWebhook(id, hookUrl, signed));
        } catch (IllegalArgumentException unusable) {
            return Optional.empty();
        }
    }

    private static void putId(ObjectNode body, String field, String id) {
        // Dialpad's ids are 64-bit integers; send one as a JSON number when it is one.
        if (DIGITS.matcher(id).matches()) {
            body.put(field, Long.parseLong(id));
        } else {
            body.put(field, id);
        }
    }

    private static void authorize(HTTPRequest request, String accessToken) {
        request.setAuthorization(new BearerAccessToken(accessToken).toAuthorizationHeader());
        request.setAccept("application/json");
    }

    @Override
    public String toString() {
        return "DialpadWebhooksClient[" + endpoints + "]";
    }
}
