package dev.switchboard.http;

import dev.switchboard.core.webhook.WebhookCheck;
import dev.switchboard.core.webhook.WebhookIntake;
import dev.switchboard.core.webhook.WebhookReceipt;
import dev.switchboard.core.webhook.WebhookVerifier;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
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

    private WebhookRoutes(WebhookIntake intake, Function<Context, String> clientAddress) {
        this.intake = intake;
        this.clientAddress = clientAddress;
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
        answer(ctx, intake.receiveShared(ctx.bodyAsBytes(), ctx.header(WebhookVerifier.SIGNATURE_HEADER),
                client(ctx)));
    }

    private void receiveForApp(Context ctx) {
        String raw = ctx.pathParam("app_id");
        if (!CANONICAL_UUID.matcher(raw).matches()) {
            throw Problems.badRequest("invalid_app_id", "The app id must be a UUID.");
        }
        answer(ctx, intake.receiveForApp(UUID.fromString(raw), ctx.bodyAsBytes(), client(ctx)));
    }

    private Optional<String> client(Context ctx) {
        return Optional.ofNullable(clientAddress.apply(ctx)).filter(ip -> !ip.isBlank());
    }

    private static void answer(Context ctx, WebhookReceipt receipt) {
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
}
