package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.calls.CallStatus;
import dev.switchboard.core.json.Json;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushEventType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventProcessorTest {
    private static final UUID APP = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-15T10:05:00Z"), ZoneOffset.UTC);

    private final ProcessorFakes.InMemoryEventStore events = new ProcessorFakes.InMemoryEventStore(CLOCK);
    private final ProcessorFakes.InMemoryCalls calls = new ProcessorFakes.InMemoryCalls();
    private final ProcessorFakes.InMemoryMessages messages = new ProcessorFakes.InMemoryMessages();
    private final ProcessorFakes.RecordingPush push = new ProcessorFakes.RecordingPush();
    private final UUID routedApp = UUID.fromString("00000000-0000-0000-0000-0000000000b2");
    private final EventProcessor processor = EventProcessor.create(events, calls, messages,
            ProcessorFakes.mappings(Map.of(APP + "/42", "crm-7")), push,
            OrganisationRouter.create(ProcessorFakes.connections(Map.of("org-1", List.of(routedApp))), CLOCK),
            LocalEventSignal.create(), CLOCK, EventProcessor.Settings.defaults("test-instance", 1));

    private UUID store(Optional<UUID> app, Map<String, Object> payload) {
        byte[] raw = Json.write(payload).getBytes(StandardCharsets.UTF_8);
        return events.store(NewWebhookEvent.of(app, Optional.empty(), Json.parseObject(raw), raw,
                CLOCK.instant())).id();
    }

    private UUID storeCall(long callId, String state) {
        return store(Optional.of(APP), call(callId, state));
    }

    private static Map<String, Object> call(long callId, String state) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("call_id", callId);
        payload.put("state", state);
        payload.put("direction", "inbound");
        payload.put("external_number", "+14155550100");
        payload.put("target", Map.of("id", 42, "type", "user"));
        payload.put("date_started", 1_736_935_200_000L);
        payload.put("event_timestamp", 1_736_935_200_000L + state.length());
        if (!state.equals("ringing")) {
            payload.put("date_connected", 1_736_935_206_000L);
        }
        if (state.equals("hangup")) {
            payload.put("date_ended", 1_736_935_266_000L);
            payload.put("duration", 60_000);
        }
        return payload;
    }

    private void drain() {
        while (processor.processBatch() > 0) {
            // until nothing is due
        }
    }

    private List<String> pushedTypes() {
        return push.published.stream().map(p -> p.type().wireName()).toList();
    }

    @Test
    void processWhenRingingThenCallRingPushedWithTheMappedCrmUserAndTheCall() {
        storeCall(1, "ringing");

        drain();

        assertThat(pushedTypes()).containsExactly("call.ring");
        PushEvent ring = push.published.get(0);
        assertThat(ring.appId()).isEqualTo(APP);
        assertThat(ring.targetCrmUser()).contains("crm-7");
        assertThat(ring.data()).containsEntry("dialpad_call_id", "1").containsEntry("status", "ringing")
                .containsEntry("direction", "inbound").containsEntry("external_number", "+14155550100")
                .containsEntry("started_at", "2025-01-15T10:00:00Z");
        assertThat(events.backlog()).isZero();
    }

    @Test
    void processWhenHangupArrivesFirstThenStartedAndEndedPushedAndLaterEventsPushNothing() {
        storeCall(2, "hangup");
        drain();
        storeCall(2, "ringing");
        storeCall(2, "connected");
        drain();

        assertThat(pushedTypes()).containsExactlyInAnyOrder("call.started", "call.ended");
        assertThat(calls.findByDialpadId(APP, "2").orElseThrow().status()).isEqualTo(CallStatus.ENDED);
    }

    @Test
    void processWhenAnEventIsProcessedAgainThenNothingChangesAndNothingIsPushed() {
        UUID id = storeCall(3, "ringing");
        drain();
        var before = calls.findByDialpadId(APP, "3").orElseThrow();

        events.reopen(id);
        drain();

        assertThat(pushedTypes()).containsExactly("call.ring");
        assertThat(calls.findByDialpadId(APP, "3")).contains(before);
    }

    @Test
    void processWhenPushFailsThenTheEventIsStillProcessed() {
        push.failing = true;
        storeCall(4, "ringing");

        drain();

        assertThat(calls.findByDialpadId(APP, "4")).isPresent();
        assertThat(events.backlog()).isZero();
    }

    @Test
    void processWhenAnEventIsPoisonThenFailedWithErrorAndBackoffAndTheOthersProcessed() {
        Map<String, Object> poison = call(5, "ringing");
        poison.put("date_started", "yesterday");
        UUID poisonId = store(Optional.of(APP), poison);
        storeCall(6, "ringing");
        storeCall(7, "ringing");

        drain();

        WebhookEvent failed = events.find(poisonId).orElseThrow();
        assertThat(failed.status()).isEqualTo(WebhookEventStatus.FAILED);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.lastError()).hasValueSatisfying(e -> assertThat(e).contains("date_started"));
        assertThat(failed.nextAttemptAt()).contains(CLOCK.instant().plusSeconds(1));
        assertThat(calls.findByDialpadId(APP, "6")).isPresent();
        assertThat(calls.findByDialpadId(APP, "7")).isPresent();
    }

    @Test
    void backoffWhenAttemptsGrowThenDoublesUpToTenMinutesThenParks() {
        assertThat(processor.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(processor.backoff(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(processor.backoff(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(processor.backoff(11)).isEqualTo(Duration.ofMinutes(10));
        assertThat(processor.backoff(12)).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void processWhenSmsIsNewThenMessageReceivedPushedOnceOnly() {
        Map<String, Object> sms = new LinkedHashMap<>();
        sms.put("id", 900);
        sms.put("direction", "inbound");
        sms.put("from_number", "+14155550100");
        sms.put("to_number", List.of("+14155550199"));
        sms.put("text", "hello");
        sms.put("target", Map.of("id", 42));
        UUID id = store(Optional.of(APP), sms);
        drain();
        events.reopen(id);
        drain();

        assertThat(pushedTypes()).containsExactly("message.received");
        assertThat(push.published.get(0).targetCrmUser()).contains("crm-7");
        assertThat(push.published.get(0).data()).containsEntry("text", "hello");
    }

    @Test
    void processWhenKindIsUnknownThenProcessedAndIgnored() {
        UUID id = store(Optional.of(APP), Map.of("hello", "world"));

        drain();

        assertThat(events.find(id).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
        assertThat(push.published).isEmpty();
    }

    @Test
    void processWhenUnroutedAndItsOrganisationIsNowConnectedThenCopiedToTheAppAndProcessed() {
        Map<String, Object> payload = call(8, "ringing");
        byte[] raw = Json.write(payload).getBytes(StandardCharsets.UTF_8);
        UUID unrouted = events.store(NewWebhookEvent.of(Optional.empty(), Optional.of("org-1"),
                Json.parseObject(raw), raw, CLOCK.instant())).id();
        UUID orphan = events.store(NewWebhookEvent.of(Optional.empty(), Optional.of("org-unknown"),
                Json.parseObject(raw), raw, CLOCK.instant())).id();

        drain();

        assertThat(events.find(unrouted).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
        assertThat(calls.findByDialpadId(routedApp, "8")).isPresent();
        WebhookEvent kept = events.find(orphan).orElseThrow();
        assertThat(kept.status()).isEqualTo(WebhookEventStatus.FAILED);
        assertThat(kept.lastError()).hasValueSatisfying(e -> assertThat(e).startsWith("unrouted"));
        assertThat(push.published).extracting(PushEvent::type).containsExactly(PushEventType.CALL_RING);
    }
}
