package dev.switchboard.core.webhook;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Port: Dialpad's webhook administration API ({@code /api/v2/webhooks}, {@code /api/v2/subscriptions/call},
 * {@code /api/v2/subscriptions/sms}), called with the access token of one app's connection. A webhook alone
 * delivers nothing: Switchboard creates the webhook, then a call and an SMS subscription pointing at it.
 *
 * <p>Implementations are thread-safe and bound every network call with connect and read timeouts. Every answer is a
 * value: a timeout, a connection failure, a 429, a 5xx or an unreadable answer is {@link Unavailable}; a 4xx is
 * {@link Refused}. Nothing here throws for what Dialpad does, and no outcome carries a token, a webhook secret or
 * Dialpad's raw body. Arguments that are null or blank are programmer errors
 * ({@link NullPointerException} / {@link IllegalArgumentException}).
 */
public interface DialpadWebhookAdmin {
    /**
     * Creates a webhook endpoint at Dialpad ({@code POST /api/v2/webhooks} with {@code hook_url} and
     * {@code secret}); Dialpad then signs each delivery as an HS256 JWT with {@code secret}. Dialpad echoes the
     * secret in its answer; implementations drop it.
     *
     * @return {@link Created} with Dialpad's webhook id, {@link Refused} or {@link Unavailable}
     */
    Creation createWebhook(String accessToken, URI hookUrl, DialpadWebhookSecret secret);

    /**
     * Subscribes webhook {@code webhookId} to the company's call events in {@code callStates}
     * ({@code POST /api/v2/subscriptions/call} with {@code endpoint_id}, {@code call_states}, {@code enabled}).
     *
     * @return {@link Created} with Dialpad's subscription id, {@link Refused} or {@link Unavailable}
     */
    Creation createCallSubscription(String accessToken, String webhookId, List<String> callStates);

    /**
     * Subscribes webhook {@code webhookId} to the company's SMS events in both directions
     * ({@code POST /api/v2/subscriptions/sms} with {@code endpoint_id}, {@code direction=all}, {@code enabled}).
     *
     * @return {@link Created} with Dialpad's subscription id, {@link Refused} or {@link Unavailable}
     */
    Creation createSmsSubscription(String accessToken, String webhookId);

    /** Deletes the webhook ({@code DELETE /api/v2/webhooks/{id}}); {@link NotFound} when Dialpad has no such webhook. */
    Removal deleteWebhook(String accessToken, String webhookId);

    /** Deletes a call subscription ({@code DELETE /api/v2/subscriptions/call/{id}}). */
    Removal deleteCallSubscription(String accessToken, String subscriptionId);

    /** Deletes an SMS subscription ({@code DELETE /api/v2/subscriptions/sms/{id}}). */
    Removal deleteSmsSubscription(String accessToken, String subscriptionId);

    /**
     * Gives the webhook a new secret ({@code PATCH /api/v2/webhooks/{id}} with {@code hook_url} and {@code secret});
     * Dialpad signs every later delivery with it. Dialpad echoes the secret in its answer; implementations drop it.
     *
     * @return {@link Updated}, {@link NotFound} when Dialpad has no such webhook, {@link Refused} or
     *         {@link Unavailable}
     */
    Update updateWebhookSecret(String accessToken, String webhookId, URI hookUrl, DialpadWebhookSecret secret);

    /** The company's webhooks ({@code GET /api/v2/webhooks}, every page), without their secrets. */
    Listing listWebhooks(String accessToken);

    /** What Dialpad answered to a creation. */
    sealed interface Creation permits Created, Refused, Unavailable {
    }

    /** What Dialpad answered to a deletion. */
    sealed interface Removal permits Removed, NotFound, Refused, Unavailable {
    }

    /** What Dialpad answered to an update. */
    sealed interface Update permits Updated, NotFound, Refused, Unavailable {
    }

    /** What Dialpad answered to a listing. */
    sealed interface Listing permits Listed, Refused, Unavailable {
    }

    /** Created; {@code id} is Dialpad's id of the new webhook or subscription, as text. */
    record Created(String id) implements Creation {
        public Created {
            id = validId(id);
        }
    }

    /** Dialpad accepted the update. */
    record Updated() implements Update {
    }

    /** Deleted at Dialpad. */
    record Removed() implements Removal {
    }

    /** Dialpad has no such object (404): already gone, which a caller cleaning up may treat as done. */
    record NotFound() implements Removal, Update {
    }

    /** The company's webhooks, in Dialpad's order. */
    record Listed(List<RemoteWebhook> webhooks) implements Listing {
        public Listed {
            webhooks = List.copyOf(webhooks);
        }
    }

    /**
     * Dialpad refused the request with a 4xx other than 429.
     *
     * @param status      the HTTP status
     * @param errorCode   a short code such as {@code unauthorized}, {@code forbidden}, {@code bad_request}
     * @param description a sentence written by the adapter, never Dialpad's text
     */
    record Refused(int status, String errorCode, String description) implements Creation, Removal, Listing, Update {
        private static final Pattern CODE = Pattern.compile("[a-z0-9_]{1,64}");

        public Refused {
            if (status < 400 || status > 499) {
                throw new IllegalArgumentException("a refusal is a 4xx status");
            }
            Objects.requireNonNull(errorCode, "errorCode");
            Objects.requireNonNull(description, "description");
            if (!CODE.matcher(errorCode).matches()) {
                throw new IllegalArgumentException("an error code is 1 to 64 of a-z 0-9 _");
            }
        }
    }

    /** Dialpad could not be reached or answered unusably (timeout, 429, 5xx, unreadable body); worth retrying. */
    record Unavailable(String reason) implements Creation, Removal, Listing, Update {
        public Unavailable {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * A webhook as Dialpad lists it. Its secret is deliberately absent.
     *
     * @param id      Dialpad's webhook id
     * @param hookUrl where Dialpad delivers
     * @param signed  whether Dialpad signs its deliveries (the webhook has a secret)
     */
    record RemoteWebhook(String id, String hookUrl, boolean signed) {
        public RemoteWebhook {
            id = validId(id);
            Objects.requireNonNull(hookUrl, "hookUrl");
        }
    }

    /**
     * Returns {@code id} when it is a Dialpad id Switchboard can put in a path: 1 to 128 of
     * {@code A-Z a-z 0-9 - _}; throws IllegalArgumentException otherwise.
     */
    static String validId(String id) {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty() || id.length() > 128
                || !id.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_'))) {
            throw new IllegalArgumentException("a Dialpad id is 1 to 128 of A-Z a-z 0-9 - _");
        }
        return id;
    }
}
