package dev.switchboard.core.webhook;

import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.json.JsonException;
import dev.switchboard.core.messages.SmsEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses a claimed event, or routes an unrouted one again, outside any transaction; a failure here concerns this
 * event only. Part of {@link EventBatchApplier}; thread-safe.
 */
final class EventPreparer {
    private static final Logger LOG = LoggerFactory.getLogger(EventBatchApplier.class);

    private final WebhookEventStore events;
    private final OrganisationRouter router;

    EventPreparer(WebhookEventStore events, OrganisationRouter router) {
        this.events = events;
        this.router = router;
    }

    PreparedEvent prepare(WebhookEvent event) {
        try {
            if (event.appId().isEmpty()) {
                return reroute(event);
            }
            UUID appId = event.appId().get();
            return switch (event.kind()) {
                case CALL -> callWork(event, appId);
                case SMS -> smsWork(event, appId);
                case UNKNOWN -> {
                    LOG.info("webhook event {} ignored: neither a call nor an SMS event", event.id());
                    yield new PreparedEvent.Nothing(event);
                }
            };
        } catch (RuntimeException e) {
            return new PreparedEvent.Failed(event, describe(e));
        }
    }

    private static PreparedEvent callWork(WebhookEvent event, UUID appId) {
        CallEvent.Parse parse = CallEvent.parse(JsonCodec.parseObject(event.payload()));
        if (parse instanceof CallEvent.Parse.Invalid invalid) {
            return new PreparedEvent.Failed(event, "invalid call event: " + invalid.problem());
        } else if (parse instanceof CallEvent.Parse.Parsed parsed) {
            return new PreparedEvent.CallWork(event, appId, parsed.event());
        }
        throw new IllegalStateException("unknown call event parse " + parse.getClass().getSimpleName());
    }

    private static PreparedEvent smsWork(WebhookEvent event, UUID appId) {
        SmsEvent.Parse parse = SmsEvent.parse(JsonCodec.parseObject(event.payload()));
        if (parse instanceof SmsEvent.Parse.Invalid invalid) {
            return new PreparedEvent.Failed(event, "invalid SMS event: " + invalid.problem());
        } else if (parse instanceof SmsEvent.Parse.Parsed parsed) {
            return new PreparedEvent.SmsWork(event, appId, parsed.event());
        }
        throw new IllegalStateException("unknown SMS event parse " + parse.getClass().getSimpleName());
    }

    private PreparedEvent reroute(WebhookEvent event) {
        if (event.organisationId().isEmpty()) {
            return new PreparedEvent.Failed(event, "unrouted: the event names no organisation");
        }
        String organisationId = event.organisationId().get();
        List<UUID> apps = router.appsConnectedBy(organisationId, event.receivedAt());
        if (apps.isEmpty()) {
            if (router.appsOf(organisationId).isEmpty()) {
                return new PreparedEvent.Failed(event, "unrouted: no app is connected to its organisation");
            }
            LOG.info("unrouted webhook event {} not routed: its organisation's apps connected after it was received",
                    event.id());
            return new PreparedEvent.Nothing(event);
        }
        byte[] raw = event.payload().getBytes(StandardCharsets.UTF_8);
        Map<String, Object> payload = JsonCodec.parseObject(raw);
        List<NewWebhookEvent> copies = apps.stream()
                .map(app -> NewWebhookEvent.of(Optional.of(app), event.organisationId(), payload, raw,
                        event.receivedAt()))
                .toList();
        events.storeAll(copies);
        LOG.info("unrouted webhook event {} routed to {} app(s)", event.id(), apps.size());
        return new PreparedEvent.Nothing(event);
    }

    /** The class names what went wrong; messages of our exceptions are safe, others are not shown. */
    static String describe(RuntimeException e) {
        String message = e instanceof SwitchboardException || e instanceof JsonException
                || e instanceof IllegalArgumentException ? ": " + e.getMessage() : "";
        return e.getClass().getSimpleName() + message;
    }
}
