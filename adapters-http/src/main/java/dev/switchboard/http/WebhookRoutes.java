package dev.switchboard.http;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.webhook.WebhookCheck;
import dev.switchboard.core.webhook.WebhookIntake;
import dev.switchboard.core.webhook.WebhookReceipt;
import dev.switchboard.core.webhook.WebhookVerifier;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The Dialpad webhook endpoints (CONTRACT.md, "Webhooks"); the signature, routing and storage decisions are
 * {@link WebhookIntake}'s, this class only turns its outcomes into answers:
 * <ul>
 *   <li>{@code POST /webhooks/dialpad}: the shared path (JWT, or JSON with {@code x-dialpad-signature});</li>
 *   <li>{@code POST /webhooks/dialpad/{app_id}}: the per-app path (JWT signed with one of the app's secrets).</li>
 * </ul>
 * Answers: 200 {@code {"received": true, "duplicate": false|true}} once the event is durably stored; 400
 * {@code invalid_app_id} for an app id that is not a canonical UUID; 404 {@code app_not_found} for an unknown app;
 * 401 {@code invalid_signature} for a missing or wrong signature, an algorithm other than HS256 or an expired token;
 * 400 {@code invalid_payload} for a malformed token or payload; 413 over 1 MiB and 503 when the database is down (both
 * by {@link HttpServer}). The raw body is read whatever the Content-Type ({@code application/jwt; charset=utf-8},
 * {@code application/json}, none). Thread-safe.
 */
public final class WebhookRoutes implements RouteGroup {
    /** The shared path. */
    public static final String SHARED_PATH = "/webhooks/dialpad";
    /** The per-app path. */
    public static final String APP_PATH = "/webhooks/dialpad/{app_id}";
    private static final Pattern CANONICAL_UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final WebhookIntake intake;
    private final Function<Context, String> clientAddress;
    private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);

    /** What became of a delivery that reached the routes (a body over 1 MiB is refused before, by the edge). */
    public enum Outcome {
        /** Stored, new: 200 with {@code duplicate: false}. */
        STORED,
        /** Already stored: 200 with {@code duplicate: true}. */
        DUPLICATE,
        /** 400: the body is not a well-formed signed event, or the path's app id is not a UUID. */
        INVALID_PAYLOAD,
        /** 401: the signature is missing or not valid. */
        INVALID_SIGNATURE,
        /** 404: the path names no app. */
        UNKNOWN_APP,
        /** 503: the event could not be stored; Dialpad retries. */
        UNAVAILABLE;

        /** The outcome as a metric tag: lower case. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private WebhookRoutes(WebhookIntake intake, Function<Context, String> clientAddress) {
        this.intake = intake;
        this.clientAddress = clientAddress;
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, new LongAdder());
        }
    }

    /** How many deliveries ended with {@code outcome} since start (for the metrics). */
    public long count(Outcome outcome) {
        return outcomes.get(Objects.requireNonNull(outcome, "outcome")).sum();
    }

    /** The routes, with the client address the edge resolved ({@link ClientAddress#of}). */
    public static WebhookRoutes create(WebhookIntake intake) {
        return create(intake, ClientAddress::of);
    }

    /** The routes, with the client address as {@code clientAddress} resolves it (e.g. trusting known proxies). */
    public static WebhookRoutes create(WebhookIntake intake, Function<Context, String> clientAddress) {
        return new WebhookRoutes(Objects.requireNonNull(intake, "intake"),
                Objects.requireNonNull(clientAddress, "clientAddress"));
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post(SHARED_PATH, this::receiveShared);
        routes.post(APP_PATH, this::receiveForApp);
    }

    private void receiveShared(Context ctx) {
        answer(ctx, counted(() -> intake.receiveShared(ctx.bodyAsBytes(),
                ctx.header(WebhookVerifier.SIGNATURE_HEADER), client(ctx))));
    }

    private void receiveForApp(Context ctx) {
        String raw = ctx.pathParam("app_id");
        if (!CANONICAL_UUID.matcher(raw).matches()) {
            outcomes.get(Outcome.INVALID_PAYLOAD).increment();
            throw Problems.badRequest("invalid_app_id", "The app id must be a UUID.");
        }
        answer(ctx, counted(() -> intake.receiveForApp(UUID.fromString(raw), ctx.bodyAsBytes(), client(ctx))));
    }

    /** The intake's receipt, counting a store failure (answered 503 by the server's error mapping). */
    private WebhookReceipt counted(Supplier<WebhookReceipt> receive) {
        try {
            return receive.get();
        } catch (StoreUnavailableException e) {
            outcomes.get(Outcome.UNAVAILABLE).increment();
            throw e;
        }
    }

    private Optional<String> client(Context ctx) {
        return Optional.ofNullable(clientAddress.apply(ctx)).filter(ip -> !ip.isBlank());
    }

    private void answer(Context ctx, WebhookReceipt receipt) {
        outcomes.get(outcomeOf(receipt)).increment();
        if (receipt instanceof WebhookReceipt.Stored stored) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("received", true);
            body.put("duplicate", stored.duplicate());
            ctx.status(200).json(body);
        } else if (receipt instanceof WebhookReceipt.Rejected rejected) {
            if (rejected.reason() == WebhookCheck.Reason.MALFORMED) {
                throw Problems.badRequest("invalid_payload", "The webhook body is not a well-formed signed event.");
            }
            throw Problems.unauthorized("invalid_signature", "The webhook signature is missing or not valid.");
        } else if (receipt instanceof WebhookReceipt.UnknownApp) {
            throw Problems.notFound("app_not_found", "No app has this id.");
        }
    }

    private static Outcome outcomeOf(WebhookReceipt receipt) {
        if (receipt instanceof WebhookReceipt.Stored stored) {
            return stored.duplicate() ? Outcome.DUPLICATE : Outcome.STORED;
        }
        if (receipt instanceof WebhookReceipt.Rejected rejected) {
            return rejected.reason() == WebhookCheck.Reason.MALFORMED ? Outcome.INVALID_PAYLOAD
                    : Outcome.INVALID_SIGNATURE;
        }
        return Outcome.UNKNOWN_APP;
    }
}
