package dev.switchboard.core.calls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CallMergeTest {
    private static final UUID CALL = UUID.randomUUID();
    private static final UUID APP = UUID.randomUUID();
    private static final long T0 = 1_700_000_000_000L;

    private static CallEvent event(String state, String direction, Map<String, Object> extra) {
        Map<String, Object> payload = new HashMap<>();
        payload.put("call_id", 4242L);
        payload.put("state", state);
        payload.put("direction", direction);
        payload.put("external_number", "+15550001111");
        payload.put("internal_number", "+15550002222");
        payload.put("target", Map.of("id", 77L, "type", "user", "name", "Rep"));
        payload.putAll(extra);
        return ((CallEvent.Parse.Parsed) CallEvent.parse(payload)).event();
    }

    private static CallEvent ringing(String direction) {
        return event("ringing", direction, Map.of("date_started", T0, "date_rang", T0 + 500, "event_timestamp", T0 + 600));
    }

    private static CallEvent connected(String direction) {
        return event("connected", direction, Map.of("date_started", T0, "date_connected", T0 + 5_000,
                "event_timestamp", T0 + 5_100));
    }

    private static CallEvent hangup(String direction, boolean wasConnected) {
        Map<String, Object> extra = new HashMap<>(Map.of("date_started", T0, "date_ended", T0 + 60_000,
                "event_timestamp", T0 + 60_100, "duration", 55_000L));
        if (wasConnected) {
            extra.put("date_connected", T0 + 5_000);
        }
        return event("hangup", direction, extra);
    }

    private static Call fold(List<CallEvent> events) {
        Call call = null;
        for (CallEvent event : events) {
            call = CallMerge.apply(call, CALL, APP, event).call();
        }
        return call;
    }

    private static <T> List<List<T>> permutations(List<T> items) {
        if (items.isEmpty()) {
            return List.of(List.of());
        }
        List<List<T>> result = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            List<T> rest = new ArrayList<>(items);
            T head = rest.remove(i);
            for (List<T> tail : permutations(rest)) {
                List<T> one = new ArrayList<>();
                one.add(head);
                one.addAll(tail);
                result.add(one);
            }
        }
        return result;
    }

    /** Every permutation of {@code events} folds to one call, which is returned. */
    private static Call sameWhateverTheOrder(List<CallEvent> events) {
        Set<Call> results = new HashSet<>();
        for (List<CallEvent> order : permutations(events)) {
            results.add(fold(order));
        }
        assertThat(results).hasSize(1);
        return results.iterator().next();
    }

    @Test
    void applyWhenRingingConnectedHangupInAnyOrderThenEndedWithTheRightTimes() {
        Call call = sameWhateverTheOrder(List.of(ringing("inbound"), connected("inbound"), hangup("inbound", true)));

        assertThat(call.status()).isEqualTo(CallStatus.ENDED);
        assertThat(call.startedAt()).contains(Instant.ofEpochMilli(T0));
        assertThat(call.answeredAt()).contains(Instant.ofEpochMilli(T0 + 5_000));
        assertThat(call.endedAt()).contains(Instant.ofEpochMilli(T0 + 60_000));
        assertThat(call.lastEventAt()).contains(Instant.ofEpochMilli(T0 + 60_100));
        assertThat(call.durationMillis()).contains(55_000L);
        assertThat(call.statesSeen()).containsExactlyInAnyOrder(DialpadCallState.RINGING, DialpadCallState.CONNECTED,
                DialpadCallState.HANGUP);
        assertThat(call.dialpadUserId()).contains("77");
        assertThat(call.direction()).contains(CallDirection.INBOUND);
    }

    @Test
    void applyWhenInboundRingingAndHangupWithoutConnectionThenMissed() {
        Call call = sameWhateverTheOrder(List.of(ringing("inbound"), hangup("inbound", false)));

        assertThat(call.status()).isEqualTo(CallStatus.MISSED);
        assertThat(call.answeredAt()).isEmpty();
    }

    @Test
    void applyWhenOutboundRingingAndHangupWithoutConnectionThenEnded() {
        Call call = sameWhateverTheOrder(List.of(event("calling", "outbound", Map.of("event_timestamp", T0)),
                hangup("outbound", false)));

        assertThat(call.status()).isEqualTo(CallStatus.ENDED);
    }

    @Test
    void applyWhenRingingMissedVoicemailInAnyOrderThenVoicemail() {
        CallEvent voicemail = event("voicemail_uploaded", "inbound", Map.of("event_timestamp", T0 + 90_000,
                "voicemail_share_link", "https://dialpad.example/vm/1", "transcription_text", "call me back"));
        Call call = sameWhateverTheOrder(List.of(ringing("inbound"),
                event("missed", "inbound", Map.of("event_timestamp", T0 + 30_000)), voicemail));

        assertThat(call.status()).isEqualTo(CallStatus.VOICEMAIL);
        assertThat(call.voicemailUrl()).contains("https://dialpad.example/vm/1");
        assertThat(call.transcription()).contains("call me back");
        assertThat(call.endedAt()).contains(Instant.ofEpochMilli(T0 + 30_000));
    }

    @Test
    void applyWhenCallingConnectedRecordingHangupInAnyOrderThenEndedWithRecording() {
        CallEvent recording = event("recording", "outbound", Map.of("event_timestamp", T0 + 70_000,
                "recording_details", List.of(Map.of("url", "https://dialpad.example/rec/1")),
                "call_recording_share_links", List.of("https://dialpad.example/share/1")));
        Call call = sameWhateverTheOrder(List.of(
                event("calling", "outbound", Map.of("date_started", T0, "event_timestamp", T0 + 10)),
                connected("outbound"), recording, hangup("outbound", true)));

        assertThat(call.status()).isEqualTo(CallStatus.ENDED);
        assertThat(call.recordingUrl()).contains("https://dialpad.example/rec/1");
        assertThat(call.answeredAt()).contains(Instant.ofEpochMilli(T0 + 5_000));
    }

    @Test
    void applyWhenRejectedAndHangupThenRejected() {
        Call call = sameWhateverTheOrder(List.of(ringing("inbound"),
                event("blocked", "inbound", Map.of("event_timestamp", T0 + 100)), hangup("inbound", false)));

        assertThat(call.status()).isEqualTo(CallStatus.REJECTED);
    }

    @Test
    void applyWhenConnectedThenActive() {
        Call call = sameWhateverTheOrder(List.of(ringing("inbound"), connected("inbound"),
                event("hold", "inbound", Map.of("event_timestamp", T0 + 20_000))));

        assertThat(call.status()).isEqualTo(CallStatus.ACTIVE);
        assertThat(call.answeredAt()).contains(Instant.ofEpochMilli(T0 + 5_000));
    }

    @Test
    void applyWhenEventsInOrderThenChangesFollowTheCall() {
        CallUpdate rang = CallMerge.first(CALL, APP, ringing("inbound"));
        CallUpdate answered = CallMerge.apply(rang.call(), connected("inbound"));
        CallUpdate ended = CallMerge.apply(answered.call(), hangup("inbound", true));

        assertThat(rang.changes()).containsExactlyInAnyOrder(CallChange.RANG, CallChange.STATUS_CHANGED,
                CallChange.UPDATED);
        assertThat(answered.changes()).containsExactlyInAnyOrder(CallChange.ANSWERED, CallChange.STATUS_CHANGED,
                CallChange.UPDATED);
        assertThat(ended.changes()).containsExactlyInAnyOrder(CallChange.ENDED, CallChange.STATUS_CHANGED,
                CallChange.UPDATED);
    }

    @Test
    void applyWhenDuplicateEventThenNoChange() {
        Call call = fold(List.of(ringing("inbound"), connected("inbound")));

        CallUpdate again = CallMerge.apply(call, connected("inbound"));

        assertThat(again.changes()).isEmpty();
        assertThat(again.call()).isEqualTo(call);
    }

    @Test
    void applyWhenRingingArrivesAfterHangupThenNoRingChange() {
        Call ended = CallMerge.first(CALL, APP, hangup("inbound", true)).call();

        CallUpdate late = CallMerge.apply(ended, ringing("inbound"));

        assertThat(late.changes()).doesNotContain(CallChange.RANG, CallChange.ENDED, CallChange.STATUS_CHANGED);
        assertThat(late.call().status()).isEqualTo(CallStatus.ENDED);
    }

    @Test
    void applyWhenConnectedIsAppliedBeforeRingingThenRangOnceTogetherWithAnswered() {
        CallUpdate connectedFirst = CallMerge.first(CALL, APP, connected("inbound"));
        CallUpdate lateRinging = CallMerge.apply(connectedFirst.call(), ringing("inbound"));

        assertThat(connectedFirst.changes()).contains(CallChange.RANG, CallChange.ANSWERED);
        assertThat(connectedFirst.call().status()).isEqualTo(CallStatus.ACTIVE);
        assertThat(lateRinging.changes()).doesNotContain(CallChange.RANG, CallChange.ANSWERED);
    }

    @Test
    void applyWhenRingingConnectedHangupInEveryOrderThenEachPushableChangeOnceAndRangUnlessTheEndCameFirst() {
        for (List<CallEvent> order : permutations(List.of(ringing("inbound"), connected("inbound"),
                hangup("inbound", true)))) {
            List<CallChange> reported = new ArrayList<>();
            Call call = null;
            for (CallEvent event : order) {
                CallUpdate update = CallMerge.apply(call, CALL, APP, event);
                reported.addAll(update.changes());
                call = update.call();
            }
            boolean endedFirst = order.get(0).state() == DialpadCallState.HANGUP;

            assertThat(reported).as("order %s", order.stream().map(CallEvent::stateName).toList())
                    .containsOnlyOnce(CallChange.ANSWERED, CallChange.ENDED);
            assertThat(reported.stream().filter(c -> c == CallChange.RANG).count()).isEqualTo(endedFirst ? 0 : 1);
        }
    }

    @Test
    void applyWhenHangupWithConnectionArrivesFirstThenAnsweredAndEndedTogether() {
        CallUpdate first = CallMerge.first(CALL, APP, hangup("inbound", true));

        assertThat(first.changes()).contains(CallChange.ANSWERED, CallChange.ENDED).doesNotContain(CallChange.RANG);
    }

    @Test
    void applyWhenVoicemailLinkAppearsThenVoicemailAddedOnce() {
        Call missed = CallMerge.first(CALL, APP, event("missed", "inbound", Map.of("event_timestamp", T0))).call();
        CallEvent uploaded = event("voicemail_uploaded", "inbound", Map.of("event_timestamp", T0 + 1,
                "voicemail_share_link", "https://dialpad.example/vm/2"));

        CallUpdate added = CallMerge.apply(missed, uploaded);
        CallUpdate again = CallMerge.apply(added.call(), uploaded);

        assertThat(added.changes()).contains(CallChange.VOICEMAIL_ADDED, CallChange.STATUS_CHANGED);
        assertThat(again.changes()).isEmpty();
    }

    @Test
    void applyWhenEventOfAnotherCallThenRejected() {
        Call call = CallMerge.first(CALL, APP, ringing("inbound")).call();
        Map<String, Object> other = new HashMap<>(Map.of("call_id", 1L, "state", "hangup"));
        CallEvent otherEvent = ((CallEvent.Parse.Parsed) CallEvent.parse(other)).event();

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CallMerge.apply(call, otherEvent))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void statesSeenWhenStoredAsMaskThenRoundTrips() {
        Call call = fold(List.of(ringing("inbound"), connected("inbound"), hangup("inbound", true)));

        assertThat(DialpadCallState.fromMask(call.statesSeenMask())).isEqualTo(call.statesSeen());
    }
}
