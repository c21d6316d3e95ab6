package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.Backoff;
import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.core.testing.InMemoryProcessingStore;
import dev.switchboard.core.testing.InMemoryWebhookEventStore;
import dev.switchboard.core.testing.OrganisationConnections;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The batch applier on its own: no processor, no worker, the caller claims. */
class EventBatchApplierTest {
    private static final UUID APP = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-15T10:05:00Z"), ZoneOffset.UTC);

    private final InMemoryWebhookEventStore events = new InMemoryWebhookEventStore(CLOCK);
    private final InMemoryProcessingStore processing = new InMemoryProcessingStore(events, Map.of());
    private final EventBatchApplier applier = EventBatchApplier.create(events, processing,
            OrganisationRouter.create(OrganisationConnections.of(Map.of()), CLOCK), CLOCK,
            new EventBatchApplier.Retries(Backoff.of(Duration.ofSeconds(3), Duration.ofMinutes(1)), 3,
                    Duration.ofHours(6)));

    private UUID store(Map<String, Object> payload) {
        byte[] raw = JsonCodec.write(payload).getBytes(StandardCharsets.UTF_8);
        return events.store(NewWebhookEvent.of(Optional.of(APP), Optional.empty(), JsonCodec.parseObject(raw), raw,
                CLOCK.instant())).id();
    }

    private List<WebhookEvent> claim() {
        return events.claim(100, CLOCK.instant(), Duration.ofSeconds(60), "embedder");
    }

    @Test
    void applyWhenEventsClaimedByTheCallerThenProcessedAndPushedBeforeItReturns() {
        UUID id = store(Map.of("call_id", 7, "state", "ringing", "event_timestamp", 1));

        int failed = applier.apply(claim());

        assertThat(failed).isZero();
        assertThat(events.find(id).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
        assertThat(processing.call(APP, "7")).isPresent();
        assertThat(processing.published()).extracting(push -> push.type()).containsExactly(PushEventType.CALL_RING);
    }

    @Test
    void applyWhenAnEventIsInvalidThenMarkedFailedAfterTheRetryDelayOfItsAttempt() {
        UUID id = store(Map.of("call_id", 8, "state", "ringing", "date_started", "yesterday"));

        assertThat(applier.apply(claim())).isEqualTo(1);

        WebhookEvent failed = events.find(id).orElseThrow();
        assertThat(failed.status()).isEqualTo(WebhookEventStatus.FAILED);
        assertThat(failed.nextAttemptAt()).contains(CLOCK.instant().plusSeconds(3));
    }

    @Test
    void retryDelayWhenAttemptsRunOutThenParked() {
        assertThat(applier.retryDelay(1)).isEqualTo(Duration.ofSeconds(3));
        assertThat(applier.retryDelay(2)).isEqualTo(Duration.ofSeconds(6));
        assertThat(applier.retryDelay(3)).isEqualTo(Duration.ofHours(6));
    }
}
