package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallChange;
import dev.switchboard.core.calls.CallDirection;
import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.calls.CallFilter;
import dev.switchboard.core.calls.CallPage;
import dev.switchboard.core.calls.CallStatus;
import dev.switchboard.core.calls.CallUpdate;
import dev.switchboard.core.calls.Voicemail;
import dev.switchboard.testkit.TestDatabase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JdbiCallStoreTest {
    private static final long T0 = 1_714_557_600_000L;
    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiCallStore calls;
    private static JdbiVoicemailStore voicemails;
    private static long nextCallId = 10_000;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 20));
        Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
        calls = JdbiCallStore.create(database, clock);
        voicemails = JdbiVoicemailStore.create(database);
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    private static synchronized long newCallId() {
        return nextCallId++;
    }

    private static CallEvent event(long callId, String state, String direction, Map<String, Object> extra) {
        Map<String, Object> payload = new HashMap<>(extra);
        payload.put("call_id", callId);
        payload.put("state", state);
        payload.put("direction", direction);
        payload.put("external_number", "+15550001111");
        payload.put("target", Map.of("id", 77L, "type", "user"));
        return ((CallEvent.Parse.Parsed) CallEvent.parse(payload)).event();
    }

    private static List<CallEvent> ringingConnectedHangup(long callId) {
        return List.of(
                event(callId, "ringing", "inbound", Map.of("date_started", T0, "event_timestamp", T0 + 1)),
                event(callId, "connected", "inbound", Map.of("date_connected", T0 + 5_000, "event_timestamp", T0 + 5_001)),
                event(callId, "hangup", "inbound", Map.of("date_connected", T0 + 5_000, "date_ended", T0 + 60_000,
                        "event_timestamp", T0 + 60_001, "duration", 55_000L)));
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
                List<T> one = new ArrayList<>(List.of(head));
                one.addAll(tail);
                result.add(one);
            }
        }
        return result;
    }

    /** Drops the store-made id, which differs per call, to compare the facts. */
    private static Call withoutId(Call call) {
        return new Call(new UUID(0, 0), call.appId(), "x", call.status(), call.direction(), call.externalNumber(),
                call.internalNumber(), call.target(), call.contact(), call.masterCallId(), call.entryPointCallId(),
                call.startedAt(), call.answeredAt(), call.endedAt(), call.durationMillis(), call.recordingUrl(),
                call.voicemailUrl(), call.transcription(), call.lastEventAt(), call.statesSeen());
    }

    @Test
    void applyWhenEventsArriveInEveryOrderThenEveryCallEndsTheSame() {
        UUID app = Apps.insert(testDatabase);
        Set<Call> results = new HashSet<>();
        for (List<Integer> order : permutations(List.of(0, 1, 2))) {
            long callId = newCallId();
            List<CallEvent> events = ringingConnectedHangup(callId);
            order.forEach(i -> calls.apply(app, events.get(i)));
            results.add(withoutId(calls.findByDialpadId(app, Long.toString(callId)).orElseThrow()));
        }

        assertThat(results).hasSize(1);
        Call call = results.iterator().next();
        assertThat(call.status()).isEqualTo(CallStatus.ENDED);
        assertThat(call.startedAt()).contains(Instant.ofEpochMilli(T0));
        assertThat(call.answeredAt()).contains(Instant.ofEpochMilli(T0 + 5_000));
        assertThat(call.endedAt()).contains(Instant.ofEpochMilli(T0 + 60_000));
        assertThat(call.durationMillis()).contains(55_000L);
    }

    @Test
    void applyWhenEventsOfOneCallRunConcurrentlyThenNoUpdateIsLost() throws Exception {
        UUID app = Apps.insert(testDatabase);
        for (int attempt = 0; attempt < 10; attempt++) {
            long callId = newCallId();
            List<CallEvent> events = new ArrayList<>(ringingConnectedHangup(callId));
            events.add(event(callId, "recording", "inbound", Map.of("event_timestamp", T0 + 70_000,
                    "call_recording_share_links", List.of("https://dialpad.example/r/" + callId))));
            ExecutorService pool = Executors.newFixedThreadPool(events.size());
            CountDownLatch start = new CountDownLatch(1);
            List<Future<CallUpdate>> futures = new ArrayList<>();
            for (CallEvent e : events) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return calls.apply(app, e);
                }));
            }
            start.countDown();
            long ended = 0;
            for (Future<CallUpdate> future : futures) {
                ended += future.get().has(CallChange.ENDED) ? 1 : 0;
            }
            pool.shutdown();

            Call call = calls.findByDialpadId(app, Long.toString(callId)).orElseThrow();
            assertThat(call.statesSeen()).hasSize(4);
            assertThat(call.status()).isEqualTo(CallStatus.ENDED);
            assertThat(call.recordingUrl()).isPresent();
            assertThat(ended).isEqualTo(1);
        }
    }

    @Test
    void applyWhenDuplicateEventThenNoChange() {
        UUID app = Apps.insert(testDatabase);
        CallEvent ringing = ringingConnectedHangup(newCallId()).get(0);

        CallUpdate first = calls.apply(app, ringing);
        CallUpdate again = calls.apply(app, ringing);

        assertThat(first.changes()).contains(CallChange.RANG);
        assertThat(again.changes()).isEmpty();
        assertThat(again.call()).isEqualTo(first.call());
    }

    @Test
    void applyWhenSameDialpadCallInTwoAppsThenTwoSeparateCalls() {
        UUID appA = Apps.insert(testDatabase);
        UUID appB = Apps.insert(testDatabase);
        long callId = newCallId();
        List<CallEvent> events = ringingConnectedHangup(callId);

        Call inA = calls.apply(appA, events.get(0)).call();
        Call inB = calls.apply(appB, events.get(2)).call();

        assertThat(inA.id()).isNotEqualTo(inB.id());
        assertThat(calls.findByDialpadId(appA, Long.toString(callId)).orElseThrow().status())
                .isEqualTo(CallStatus.RINGING);
        assertThat(calls.findByDialpadId(appB, Long.toString(callId)).orElseThrow().status())
                .isEqualTo(CallStatus.ENDED);
        assertThat(calls.find(appB, inA.id())).isEmpty();
        assertThat(calls.find(appA, inB.id())).isEmpty();
        assertThat(calls.find(appA, inA.id())).contains(inA);
        assertThat(calls.list(appB, CallFilter.all()).calls()).extracting(Call::id).containsExactly(inB.id());
    }

    @Test
    void listWhenFilteredThenMatchingCallsAndTotal() {
        UUID app = Apps.insert(testDatabase);
        for (int i = 0; i < 5; i++) {
            long callId = newCallId();
            calls.apply(app, event(callId, "ringing", i % 2 == 0 ? "inbound" : "outbound",
                    Map.of("date_started", T0 + i * 1000L, "event_timestamp", T0 + i * 1000L)));
        }
        long endedId = newCallId();
        ringingConnectedHangup(endedId).forEach(e -> calls.apply(app, e));

        CallPage inbound = calls.list(app, new CallFilter(Optional.empty(), Optional.of(CallDirection.INBOUND),
                Optional.empty(), Optional.empty(), 2, 0));
        CallPage ended = calls.list(app, new CallFilter(Optional.of(CallStatus.ENDED), Optional.empty(),
                Optional.empty(), Optional.empty(), 10, 0));
        CallPage window = calls.list(app, new CallFilter(Optional.empty(), Optional.empty(),
                Optional.of(Instant.ofEpochMilli(T0 + 1000)), Optional.of(Instant.ofEpochMilli(T0 + 3000)), 10, 0));

        assertThat(inbound.total()).isEqualTo(4);
        assertThat(inbound.calls()).hasSize(2);
        assertThat(inbound.hasMore()).isTrue();
        assertThat(ended.calls()).extracting(Call::dialpadCallId).containsExactly(Long.toString(endedId));
        assertThat(window.calls()).extracting(c -> c.startedAt().orElseThrow())
                .containsExactly(Instant.ofEpochMilli(T0 + 2000), Instant.ofEpochMilli(T0 + 1000));
        assertThat(calls.active(app, 100)).hasSize(5);
    }

    @Test
    void listWhenPagingThenEachPageInOrderAndTotalEvenPastTheEnd() {
        UUID app = Apps.insert(testDatabase);
        UUID empty = Apps.insert(testDatabase);
        for (int i = 0; i < 5; i++) {
            calls.apply(app, event(newCallId(), "ringing", "inbound",
                    Map.of("date_started", T0 + i * 1000L, "event_timestamp", T0 + i * 1000L)));
        }

        CallPage middle = calls.list(app, page(2, 2));
        CallPage last = calls.list(app, page(2, 4));
        CallPage pastTheEnd = calls.list(app, page(2, 10));
        CallPage none = calls.list(empty, page(2, 0));
        CallPage noneLater = calls.list(empty, page(2, 4));

        assertThat(middle.calls()).extracting(c -> c.startedAt().orElseThrow())
                .containsExactly(Instant.ofEpochMilli(T0 + 2000), Instant.ofEpochMilli(T0 + 1000));
        assertThat(middle.total()).isEqualTo(5);
        assertThat(middle.hasMore()).isTrue();
        assertThat(last.calls()).extracting(c -> c.startedAt().orElseThrow())
                .containsExactly(Instant.ofEpochMilli(T0));
        assertThat(last.total()).isEqualTo(5);
        assertThat(last.hasMore()).isFalse();
        assertThat(pastTheEnd.calls()).isEmpty();
        assertThat(pastTheEnd.total()).isEqualTo(5);
        assertThat(pastTheEnd.hasMore()).isFalse();
        assertThat(none.calls()).isEmpty();
        assertThat(none.total()).isZero();
        assertThat(noneLater.calls()).isEmpty();
        assertThat(noneLater.total()).isZero();
    }

    private static CallFilter page(int limit, int offset) {
        return new CallFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), limit, offset);
    }

    @Test
    void applyWhenCallGetsVoicemailThenVoicemailCreatedOnceAndFollowsTheCall() {
        UUID app = Apps.insert(testDatabase);
        UUID other = Apps.insert(testDatabase);
        long callId = newCallId();
        calls.apply(app, event(callId, "missed", "inbound", Map.of("event_timestamp", T0)));
        Call call = calls.apply(app, event(callId, "voicemail_uploaded", "inbound", Map.of("event_timestamp", T0 + 1,
                "voicemail_share_link", "https://dialpad.example/vm/" + callId))).call();
        calls.apply(app, event(callId, "call_transcription", "inbound", Map.of("event_timestamp", T0 + 2,
                "transcription_text", "please call back")));

        List<Voicemail> list = voicemails.list(app, 10, 0);
        assertThat(call.status()).isEqualTo(CallStatus.VOICEMAIL);
        assertThat(list).hasSize(1);
        Voicemail voicemail = list.get(0);
        assertThat(voicemail.callId()).isEqualTo(call.id());
        assertThat(voicemail.recordingUrl()).contains("https://dialpad.example/vm/" + callId);
        assertThat(voicemail.transcription()).contains("please call back");
        assertThat(voicemail.fromNumber()).contains("+15550001111");
        assertThat(voicemails.count(app)).isEqualTo(1);
        assertThat(voicemails.find(other, voicemail.id())).isEmpty();
        assertThat(voicemails.delete(other, voicemail.id())).isFalse();

        assertThat(voicemails.delete(app, voicemail.id())).isTrue();
        calls.apply(app, event(callId, "postcall", "inbound", Map.of("event_timestamp", T0 + 3)));
        assertThat(voicemails.find(app, voicemail.id())).isEmpty();
        assertThat(voicemails.count(app)).isZero();
    }
}
