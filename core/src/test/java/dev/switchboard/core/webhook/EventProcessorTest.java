package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.calls.CallMerge;
import dev.switchboard.core.calls.CallStatus;
import dev.switchboard.core.calls.DialpadCallState;
import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.core.testing.InMemoryProcessingStore;
import dev.switchboard.core.testing.InMemoryWebhookEventStore;
import dev.switchboard.core.testing.OrganisationConnections;
import dev.switchboard.core.users.DialpadUser;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventProcessorTest {
    private static final UUID APP = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-15T10:05:00Z"), ZoneOffset.UTC);

    private final InMemoryWebhookEventStore events = new InMemoryWebhookEventStore(CLOCK);
    private final InMemoryProcessingStore processing = new InMemoryProcessingStore(events,
            Map.of(new DialpadUser(APP, "42"), "crm-7"));
    private final UUID routedApp = UUID.fromString("00000000-0000-0000-0000-0000000000b2");
    private final EventProcessor processor = EventProcessor.create(events, processing,
            OrganisationRouter.create(OrganisationConnections.of(Map.of("org-1", List.of(routedApp))), CLOCK),
            LocalEventSignal.create(), CLOCK, EventProcessor.Settings.defaults("test-instance", 1));

    private UUID store(Optional<UUID> app, Map<String, Object> payload) {
        return store(app, payload, CLOCK.instant());
    }

    private UUID store(Optional<UUID> app, Map<String, Object> payload, Instant receivedAt) {
        byte[] raw = JsonCodec.write(payload).getBytes(StandardCharsets.UTF_8);
        return events.store(NewWebhookEvent.of(app, Optional.empty(), JsonCodec.parseObject(raw), raw, receivedAt)).id();
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
        return processing.published().stream().map(p -> p.type().wireName()).toList();
    }

    @Test
    void processWhenRingingThenCallRingPushedWithTheMappedCrmUserAndTheCall() {
        storeCall(1, "ringing");

        drain();

        assertThat(pushedTypes()).containsExactly("call.ring");
        PushEvent ring = processing.published().get(0);
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
        assertThat(processing.call(APP, "2").orElseThrow().status()).isEqualTo(CallStatus.ENDED);
    }

    @Test
    void processWhenAnEventIsProcessedAgainThenNothingChangesAndNothingIsPushed() {
        UUID id = storeCall(3, "ringing");
        drain();
        var before = processing.call(APP, "3").orElseThrow();

        events.reopen(id);
        drain();

        assertThat(pushedTypes()).containsExactly("call.ring");
        assertThat(processing.call(APP, "3")).contains(before);
    }

    @Test
    void processWhenPublishingFailsThenNothingOfTheBatchIsKeptAndItsEventsAreRetriedThenPushedOnce() {
        processing.failPublishing(true);
        UUID first = storeCall(4, "ringing");
        UUID second = storeCall(5, "ringing");

        processor.processBatch();

        assertThat(processing.call(APP, "4")).isEmpty();
        assertThat(processing.call(APP, "5")).isEmpty();
        assertThat(processing.published()).isEmpty();
        assertThat(List.of(events.find(first).orElseThrow(), events.find(second).orElseThrow()))
                .allSatisfy(e -> assertThat(e.status()).isEqualTo(WebhookEventStatus.FAILED))
                .allSatisfy(e -> assertThat(e.lastError()).hasValueSatisfying(error -> assertThat(error)
                        .contains("push channel down")));

        processing.failPublishing(false);
        events.reopen(first);
        events.reopen(second);
        drain();

        assertThat(pushedTypes()).containsExactly("call.ring", "call.ring");
        assertThat(processing.call(APP, "4")).isPresent();
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
        assertThat(processing.call(APP, "6")).isPresent();
        assertThat(processing.call(APP, "7")).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"date_started\":1e9999999", "\"date_connected\":-1e9999999",
            "\"date_ended\":1E+999999999", "\"duration\":1e9999999", "\"event_timestamp\":1e300",
            "\"date_started\":DIGITS100", "\"call_id\":DIGITS100", "\"call_id\":1e9999999",
            "\"master_call_id\":12345678901234567890", "\"date_started\":\"DIGITS100\"",
            "\"date_started\":\"1.2.3\""})
    void processWhenATimeOrIdIsANumberBombThenFailedNamingTheFieldAndTheOthersProcessed(String spec) {
        String member = spec.replace("DIGITS100", "9".repeat(100));
        String field = member.substring(1, member.indexOf('"', 1));
        String json = "{\"state\":\"ringing\"," + member + (member.startsWith("\"call_id\"") ? "" : ",\"call_id\":8")
                + "}";
        byte[] raw = json.getBytes(StandardCharsets.UTF_8);
        UUID bomb = events.store(NewWebhookEvent.of(Optional.of(APP), Optional.empty(), JsonCodec.parseObject(raw), raw,
                CLOCK.instant())).id();
        storeCall(9, "ringing");

        drain();

        WebhookEvent failed = events.find(bomb).orElseThrow();
        assertThat(failed.status()).isEqualTo(WebhookEventStatus.FAILED);
        assertThat(failed.lastError()).hasValueSatisfying(e -> assertThat(e).contains(field));
        assertThat(processing.call(APP, "9")).isPresent();
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
        assertThat(processing.published().get(0).targetCrmUser()).contains("crm-7");
        assertThat(processing.published().get(0).data()).containsEntry("text", "hello");
    }

    @Test
    void processWhenKindIsUnknownThenProcessedAndIgnored() {
        UUID id = store(Optional.of(APP), Map.of("hello", "world"));

        drain();

        assertThat(events.find(id).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
        assertThat(processing.published()).isEmpty();
    }

    @Test
    void processWhenUnroutedAndItsOrganisationIsNowConnectedThenCopiedToTheAppAndProcessed() {
        Map<String, Object> payload = call(8, "ringing");
        byte[] raw = JsonCodec.write(payload).getBytes(StandardCharsets.UTF_8);
        UUID unrouted = events.store(NewWebhookEvent.of(Optional.empty(), Optional.of("org-1"),
                JsonCodec.parseObject(raw), raw, CLOCK.instant())).id();
        UUID orphan = events.store(NewWebhookEvent.of(Optional.empty(), Optional.of("org-unknown"),
                JsonCodec.parseObject(raw), raw, CLOCK.instant())).id();

        drain();

        assertThat(events.find(unrouted).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
        assertThat(processing.call(routedApp, "8")).isPresent();
        WebhookEvent kept = events.find(orphan).orElseThrow();
        assertThat(kept.status()).isEqualTo(WebhookEventStatus.FAILED);
        assertThat(kept.lastError()).hasValueSatisfying(e -> assertThat(e).startsWith("unrouted"));
        assertThat(processing.published()).extracting(PushEvent::type).containsExactly(PushEventType.CALL_RING);
    }
    @Test
    void processWhenACallsEventsAreClaimedTogetherThenFoldedInReceivedOrderInOneTransaction() {
        Instant t = CLOCK.instant().minusSeconds(10);
        store(Optional.of(APP), call(10, "hangup"), t.plusMillis(2));
        store(Optional.of(APP), call(10, "connected"), t.plusMillis(1));
        store(Optional.of(APP), call(10, "ringing"), t);

        int claimed = processor.processBatch();

        assertThat(claimed).isEqualTo(3);
        assertThat(processing.transactions()).isEqualTo(1);
        assertThat(pushedTypes()).containsExactly("call.ring", "call.started", "call.ended");
        assertThat(processing.published()).extracting(p -> p.data().get("status"))
                .containsExactly("ringing", "active", "ended");
        assertThat(processing.call(APP, "10").orElseThrow().status()).isEqualTo(CallStatus.ENDED);
        assertThat(events.backlog()).isZero();
    }

    @Test
    void processWhenConnectedIsProcessedBeforeRingingThenTheRingIsPushedOnceBeforeTheStart() {
        storeCall(11, "connected");
        drain();
        storeCall(11, "ringing");
        drain();
        storeCall(11, "hangup");
        drain();

        assertThat(pushedTypes()).containsExactly("call.ring", "call.started", "call.ended");
    }

    @Test
    void processWhenTheStoreRejectsOneEventOfABatchThenOnlyThatEventFailsAndTheOthersAreStoredAndPushed() {
        processing.rejectCalls(call -> call.dialpadCallId().equals("13"));
        UUID before = storeCall(12, "ringing");
        UUID poison = storeCall(13, "ringing");
        UUID after = storeCall(14, "ringing");

        processor.processBatch();

        WebhookEvent failed = events.find(poison).orElseThrow();
        assertThat(failed.status()).isEqualTo(WebhookEventStatus.FAILED);
        assertThat(failed.lastError()).hasValueSatisfying(e -> assertThat(e).contains("rejected a call"));
        assertThat(failed.nextAttemptAt()).contains(CLOCK.instant().plusSeconds(1));
        assertThat(events.find(before).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
        assertThat(events.find(after).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
        assertThat(processing.call(APP, "13")).isEmpty();
        assertThat(processing.published()).extracting(p -> p.data().get("dialpad_call_id"))
                .containsExactly("12", "14");
    }

    @Test
    void processWhenEverySingleEventFailsThenTheFallbackStopsAfterThreeAndLeavesTheRestLeased() {
        processing.rejectCalls(call -> true);
        List<UUID> ids = new ArrayList<>();
        for (long callId = 20; callId < 26; callId++) {
            ids.add(storeCall(callId, "ringing"));
        }

        processor.processBatch();

        assertThat(processing.transactions()).isEqualTo(1 + 3);
        assertThat(ids.subList(0, 3)).allSatisfy(id -> assertThat(events.find(id).orElseThrow().status())
                .isEqualTo(WebhookEventStatus.FAILED));
        assertThat(ids.subList(3, 6)).allSatisfy(id -> assertThat(events.find(id).orElseThrow().status())
                .isEqualTo(WebhookEventStatus.RECEIVED));
        assertThat(processor.processBatch()).as("still leased").isZero();
    }

    @Test
    void processWhenAnotherTransactionCreatesTheCallMeanwhileThenTheBatchMergesIntoItAndLosesNothing() {
        processing.createMeanwhile(key -> key.dialpadCallId().equals("15")
                ? Optional.of(CallMerge.first(UUID.randomUUID(), APP,
                        callEvent(15, "ringing")).call())
                : Optional.empty());
        storeCall(15, "connected");
        storeCall(15, "hangup");

        drain();

        var call = processing.call(APP, "15").orElseThrow();
        assertThat(call.statesSeen()).extracting(DialpadCallState::wireName)
                .containsExactlyInAnyOrder("ringing", "connected", "hangup");
        assertThat(call.status()).isEqualTo(CallStatus.ENDED);
        // the other transaction made the call known, and so rang; this batch only answers and ends it
        assertThat(pushedTypes()).containsExactly("call.started", "call.ended");
    }

    @Test
    void processWhenOneMessageArrivesTwiceInABatchThenStoredAndPushedOnce() {
        Map<String, Object> sms = Map.of("id", 901, "direction", "inbound", "from_number", "+14155550100",
                "text", "twice");
        store(Optional.of(APP), sms);
        Map<String, Object> repeat = new LinkedHashMap<>(sms);
        repeat.put("event_timestamp", 1_736_935_200_000L);
        store(Optional.of(APP), repeat);

        drain();

        assertThat(pushedTypes()).containsExactly("message.received");
        assertThat(processing.messages()).hasSize(1);
        assertThat(events.backlog()).isZero();
    }

    private static CallEvent callEvent(long callId, String state) {
        return ((CallEvent.Parse.Parsed) CallEvent.parse(call(callId, state))).event();
    }
}
