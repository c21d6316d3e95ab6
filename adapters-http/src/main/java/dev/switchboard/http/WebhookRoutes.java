package dev.switchboard.http;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.webhook.WebhookCheck;
import dev.switchboard.core.webhook.WebhookIntake;
import dev.switchboard.core.webhook.WebhookReceipt;
import dev.switchboard.core.webhook.WebhookVerifier;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
 * The Dialpad webhook endpoints; the signature, routing and storage decisions are
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
 * {@code application/json}, none).
 *
 * <p>Every rejected delivery (400, 401, 404 above) is counted by reason and route ({@link #rejections}), counted
 * into the client's aggregated audit row ({@link WebhookRejectionAudit}) and counted against the client's webhook
 * limit, which counts nothing else ({@link RateLimiting}): one rejection too many is answered 429 instead, while
 * verified deliveries from the same address go on being stored. Thread-safe.
 */
public final class WebhookRoutes implements RouteGroup {
    /** The shared path. */
    public static final String SHARED_PATH = "/webhooks/dialpad";
    /** The per-app path. */
    public static final String APP_PATH = "/webhooks/dialpad/{app_id}";
    private static final Pattern CANONICAL_UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The route templates, as the {@code route} tag of the rejection counters. */
    public static final List<String> ROUTES = List.of(SHARED_PATH, APP_PATH);
    private static final String UNKNOWN_APP = "unknown_app";
    private static final String INVALID_APP_ID = "invalid_app_id";

    private final WebhookIntake intake;
    private final WebhookRejectionAudit rejectionAudit;
    private final Function<Context, String> clientAddress;
    private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
    /** Keyed by reason and route template; filled once, so reading it needs no lock. */
    private final Map<String, LongAdder> rejections = new HashMap<>();

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
        /** 429: rejected (any reason above) beyond the client's limit of rejected deliveries. */
        RATE_LIMITED,
        /** 503: the event could not be stored; Dialpad retries. */
        UNAVAILABLE;

        /** The outcome as a metric tag: lower case. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private WebhookRoutes(WebhookIntake intake, WebhookRejectionAudit rejectionAudit,
                          Function<Context, String> clientAddress) {
        this.intake = intake;
        this.rejectionAudit = rejectionAudit;
        this.clientAddress = clientAddress;
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, new LongAdder());
        }
        for (String reason : rejectionReasons()) {
            for (String route : ROUTES) {
                rejections.put(rejectionKey(reason, route), new LongAdder());
            }
        }
    }

    /** How many deliveries ended with {@code outcome} since start (for the metrics). */
    public long count(Outcome outcome) {
        return outcomes.get(Objects.requireNonNull(outcome, "outcome")).sum();
    }

    /**
     * Every reason a delivery is rejected for, as the {@code reason} tag of the rejection counters: the verifier's
     * ({@link WebhookCheck.Reason}, in lower case), {@code unknown_app} and {@code invalid_app_id}.
     */
    public static List<String> rejectionReasons() {
        List<String> reasons = new ArrayList<>();
        for (WebhookCheck.Reason reason : WebhookCheck.Reason.values()) {
            reasons.add(code(reason));
        }
        reasons.add(UNKNOWN_APP);
        reasons.add(INVALID_APP_ID);
        return List.copyOf(reasons);
    }

    /**
     * How many deliveries to {@code route} (one of {@link #ROUTES}) were rejected for {@code reason} (one of
     * {@link #rejectionReasons()}) since start, whether answered 4xx or 429 (for the metrics).
     */
    public long rejections(String reason, String route) {
        LongAdder count = rejections.get(rejectionKey(reason, route));
        if (count == null) {
            throw new IllegalArgumentException("no such rejection reason or route");
        }
        return count.sum();
    }

    /**
     * The routes, with the client address the edge resolved ({@link ClientAddress#of}); rejections are audited
     * through {@code rejectionAudit}.
     */
    public static WebhookRoutes create(WebhookIntake intake, WebhookRejectionAudit rejectionAudit) {
        return create(intake, rejectionAudit, ClientAddress::of);
    }

    /** The routes, with the client address as {@code clientAddress} resolves it (e.g. trusting known proxies). */
    public static WebhookRoutes create(WebhookIntake intake, WebhookRejectionAudit rejectionAudit,
                                       Function<Context, String> clientAddress) {
        return new WebhookRoutes(Objects.requireNonNull(intake, "intake"),
                Objects.requireNonNull(rejectionAudit, "rejectionAudit"),
                Objects.requireNonNull(clientAddress, "clientAddress"));
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.post(SHARED_PATH, this::receiveShared);
        routes.post(APP_PATH, this::receiveForApp);
    }

    private void receiveShared(Context ctx) {
        answer(ctx, SHARED_PATH, counted(() -> intake.receiveShared(ctx.bodyAsBytes(),
                ctx.header(WebhookVerifier.SIGNATURE_HEADER))));
    }

    private void receiveForApp(Context ctx) {
        String raw = ctx.pathParam("app_id");
        if (!CANONICAL_UUID.matcher(raw).matches()) {
            rejected(ctx, APP_PATH, INVALID_APP_ID, Outcome.INVALID_PAYLOAD);
            throw Problems.badRequest(INVALID_APP_ID, "The app id must be a UUID.");
        }
        answer(ctx, APP_PATH, counted(() -> intake.receiveForApp(UUID.fromString(raw), ctx.bodyAsBytes())));
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

    private void answer(Context ctx, String route, WebhookReceipt receipt) {
        if (receipt instanceof WebhookReceipt.Stored stored) {
            outcomes.get(outcomeOf(receipt)).increment();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("received", true);
            body.put("duplicate", stored.duplicate());
            ctx.status(200).json(body);
        } else if (receipt instanceof WebhookReceipt.Rejected rejected) {
            rejected(ctx, route, code(rejected.reason()), outcomeOf(receipt));
            if (rejected.reason() == WebhookCheck.Reason.MALFORMED) {
                throw Problems.badRequest("invalid_payload", "The webhook body is not a well-formed signed event.");
            }
            throw Problems.unauthorized("invalid_signature", "The webhook signature is missing or not valid.");
        } else if (receipt instanceof WebhookReceipt.UnknownApp) {
            rejected(ctx, route, UNKNOWN_APP, outcomeOf(receipt));
            throw Problems.notFound("app_not_found", "No app has this id.");
        } else {
            throw unknown(receipt);
        }
    }

    /**
     * Counts a rejection (metrics, aggregated audit, the client's webhook limit); throws the 429 {@link Problem}
     * when it is beyond the limit, else returns and the caller answers the rejection itself.
     */
    private void rejected(Context ctx, String route, String reason, Outcome outcome) {
        rejections.get(rejectionKey(reason, route)).increment();
        rejectionAudit.record(client(ctx), reason, route.equals(SHARED_PATH) ? "shared" : "app");
        try {
            RateLimiting.countRejection(ctx);
        } catch (Problem tooMany) {
            outcomes.get(Outcome.RATE_LIMITED).increment();
            throw tooMany;
        }
        outcomes.get(outcome).increment();
    }

    private static String code(WebhookCheck.Reason reason) {
        return reason.name().toLowerCase(Locale.ROOT);
    }

    private static String rejectionKey(String reason, String route) {
        return reason + " " + route;
    }

    private static Outcome outcomeOf(WebhookReceipt receipt) {
        if (receipt instanceof WebhookReceipt.Stored stored) {
            return stored.duplicate() ? Outcome.DUPLICATE : Outcome.STORED;
        }
        if (receipt instanceof WebhookReceipt.Rejected rejected) {
            return rejected.reason() == WebhookCheck.Reason.MALFORMED ? Outcome.INVALID_PAYLOAD
                    : Outcome.INVALID_SIGNATURE;
        }
        if (receipt instanceof WebhookReceipt.UnknownApp) {
            return Outcome.UNKNOWN_APP;
        }
        throw unknown(receipt);
    }

    private static IllegalStateException unknown(WebhookReceipt receipt) {
        return new IllegalStateException("unknown webhook receipt " + receipt.getClass().getSimpleName());
    }
}
