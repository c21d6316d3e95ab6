package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.calls.CallKey;
import dev.switchboard.core.calls.CallMerge;
import dev.switchboard.core.calls.CallStatus;
import dev.switchboard.core.calls.DialpadCallState;
import dev.switchboard.core.calls.Voicemail;
import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.messages.NewMessage;
import dev.switchboard.core.messages.SmsEvent;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.core.push.PushFeed;
import dev.switchboard.core.users.UserMappingRequest;
import dev.switchboard.core.webhook.EventProcessor;
import dev.switchboard.core.webhook.LocalEventSignal;
import dev.switchboard.core.webhook.NewWebhookEvent;
import dev.switchboard.core.webhook.OrganisationRouter;
import dev.switchboard.core.webhook.WebhookEvent;
import dev.switchboard.core.webhook.WebhookEventStatus;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.DialpadEvent;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The event processor over the real stores: batches applied in one transaction of {@link JdbiProcessingStore}, the
 * pushes received through {@link PostgresPushChannel} as another instance would.
 */
class JdbiProcessingStoreTest {
    /** Generous bound on waiting for pushes, so a broken channel fails the test instead of hanging it. */
    private static final long WAIT_SECONDS = 30;
    private static final AtomicLong IDS = new AtomicLong(6_100_000_000L);
    private static final Clock CLOCK = Clock.systemUTC();

    private static TestDatabase testDatabase;
    private static Database database;
    private static JdbiWebhookEventStore events;
    private static JdbiCallStore calls;
    private static JdbiMessageStore messages;
    private static JdbiVoicemailStore voicemails;
    private static PostgresPushChannel channel;
    private static OrganisationRouter router;

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 10));
        events = JdbiWebhookEventStore.create(database, CLOCK);
        calls = JdbiCallStore.create(database, CLOCK);
        messages = JdbiMessageStore.create(database);
        voicemails = JdbiVoicemailStore.create(database);
        channel = PostgresPushChannel.start(database, CLOCK);
        router = OrganisationRouter.create(JdbiConnectionStore.create(database, OAuthStoreFixtures.cipher()), CLOCK);
    }

    @AfterAll
    static void close() {
        channel.close();
        database.close();
        testDatabase.close();
    }

    private static EventProcessor processor(String owner, int batchSize) {
        EventProcessor.Settings defaults = EventProcessor.Settings.defaults(owner, 1);
        return EventProcessor.create(events, JdbiProcessingStore.create(database, CLOCK), router,
                LocalEventSignal.create(), CLOCK, new EventProcessor.Settings(owner, 1, batchSize, defaults.lease(),
                        defaults.pollInterval(), defaults.firstRetry(), defaults.maxRetry(), defaults.maxAttempts(),
                        defaults.parkedFor()));
    }

    /** Stores the events of {@code app} as received one microsecond apart, in this order; returns their ids. */
    private static List<UUID> store(UUID app, List<DialpadEvent> delivered) {
        Instant at = CLOCK.instant().minusSeconds(1);
        List<NewWebhookEvent> batch = new ArrayList<>();
        for (int i = 0; i < delivered.size(); i++) {
            byte[] raw = delivered.get(i).jsonBytes();
            batch.add(NewWebhookEvent.of(Optional.of(app), Optional.empty(), JsonCodec.parseObject(raw), raw,
                    at.plusNanos(i * 1_000L)));
        }
        return events.storeAll(batch).stream().map(s -> s.id()).toList();
    }

    /** Everything pushed for {@code app} until a sentinel published after the processing arrives. */
    private static List<PushEvent> pushedAfter(UUID app, BlockingQueue<PushEvent> queue) throws InterruptedException {
        PushEvent sentinel = new PushEvent(UUID.randomUUID(), app, PushEventType.CALL_RING, Instant.now(),
                Optional.empty(), Map.of());
        channel.publish(sentinel);
        List<PushEvent> seen = new ArrayList<>();
        while (true) {
            PushEvent next = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(next).as("the sentinel push").isNotNull();
            if (next.id().equals(sentinel.id())) {
                return seen;
            }
            if (next.appId().equals(app)) {
                seen.add(next);
            }
        }
    }

    private static Map<String, List<String>> typesByCall(List<PushEvent> pushes) {
        return pushes.stream().filter(p -> p.data().containsKey("dialpad_call_id")).collect(Collectors.groupingBy(
                p -> String.valueOf(p.data().get("dialpad_call_id")),
                Collectors.mapping(p -> p.type().wireName(), Collectors.toList())));
    }

    private static void drain(EventProcessor processor) {
        while (processor.processBatch() > 0) {
            // until nothing is due
        }
    }

    @Test
    void processWhenABatchHoldsCallsAndMessagesThenAllIsStoredAndEachChangePushedOnceInOrder() throws Exception {
        UUID app = Apps.insert(testDatabase);
        JdbiUserMappingStore.create(database, CLOCK).map(app,
                new UserMappingRequest(Long.toString(DialpadEvents.DEFAULT_TARGET_ID), "crm-9"));
        List<DialpadEvent> delivered = new ArrayList<>();
        List<Long> callIds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long callId = IDS.incrementAndGet();
            callIds.add(callId);
            for (String state : List.of("ringing", "connected", "hangup")) {
                delivered.add(DialpadEvents.call(callId, state).build());
            }
        }
        long voicemailCall = IDS.incrementAndGet();
        delivered.add(DialpadEvents.call(voicemailCall, "missed").build());
        delivered.add(DialpadEvents.call(voicemailCall, "voicemail_uploaded")
                .voicemailShareLink("https://dialpad.example/vm/" + voicemailCall).build());
        delivered.add(DialpadEvents.call(voicemailCall, "voicemail").put("transcription_text", "please call back")
                .build());
        long sms = IDS.incrementAndGet();
        delivered.add(DialpadEvents.sms(sms).text("hello").build());
        delivered.add(DialpadEvents.sms(sms).text("hello").put("event_timestamp", 1L).build());
        List<UUID> ids = store(app, delivered);
        BlockingQueue<PushEvent> queue = new LinkedBlockingQueue<>();

        try (PushFeed.Subscription subscription = channel.subscribe(queue::add)) {
            int claimed = processor("one-batch", 200).processBatch();
            List<PushEvent> pushes = pushedAfter(app, queue);

            assertThat(claimed).isEqualTo(delivered.size());
            assertProcessed(ids);
            Map<String, List<String>> byCall = typesByCall(pushes);
            for (long callId : callIds) {
                assertThat(byCall.get(Long.toString(callId))).as("pushes of call %s", callId)
                        .containsExactly("call.ring", "call.started", "call.ended");
                assertThat(calls.findByDialpadId(app, Long.toString(callId)).orElseThrow().status())
                        .isEqualTo(CallStatus.ENDED);
            }
            assertThat(byCall.get(Long.toString(voicemailCall))).containsExactly("call.ended",
                    "voicemail.received");
            assertThat(pushes).filteredOn(p -> p.type() == PushEventType.MESSAGE_RECEIVED).hasSize(1);
            assertThat(pushes).allSatisfy(p -> assertThat(p.targetCrmUser()).contains("crm-9"));
            assertThat(pushes).extracting(PushEvent::id).doesNotHaveDuplicates();
            List<Voicemail> left = voicemails.list(app, 10, 0);
            assertThat(left).singleElement().satisfies(v -> {
                assertThat(v.recordingUrl()).contains("https://dialpad.example/vm/" + voicemailCall);
                assertThat(v.transcription()).contains("please call back");
            });
            assertThat(messages.findByDialpadId(app, Long.toString(sms))).hasValueSatisfying(m ->
                    assertThat(m.text()).contains("hello"));
        }
    }

    @Test
    void processWhenEventsAreProcessedAgainThenNothingChangesAndNothingIsPushed() throws Exception {
        UUID app = Apps.insert(testDatabase);
        long callId = IDS.incrementAndGet();
        long sms = IDS.incrementAndGet();
        List<UUID> ids = store(app, List.of(DialpadEvents.call(callId, "ringing").build(),
                DialpadEvents.call(callId, "hangup").build(), DialpadEvents.sms(sms).build()));
        EventProcessor processor = processor("again", 200);
        drain(processor);
        Call before = calls.findByDialpadId(app, Long.toString(callId)).orElseThrow();
        reopen(ids);
        BlockingQueue<PushEvent> queue = new LinkedBlockingQueue<>();

        try (PushFeed.Subscription subscription = channel.subscribe(queue::add)) {
            drain(processor);

            assertThat(pushedAfter(app, queue)).isEmpty();
            assertThat(calls.findByDialpadId(app, Long.toString(callId))).contains(before);
            assertProcessed(ids);
        }
    }

    @Test
    void processWhenTheDatabaseRejectsOneEventOfABatchThenOnlyItFailsAndTheOthersAreStoredAndPushed()
            throws Exception {
        UUID app = Apps.insert(testDatabase);
        long before = IDS.incrementAndGet();
        long poison = IDS.incrementAndGet();
        long after = IDS.incrementAndGet();
        // PostgreSQL text cannot hold NUL: valid JSON, parsed fine, refused only when the call is written
        List<UUID> ids = store(app, List.of(DialpadEvents.call(before, "ringing").build(),
                DialpadEvents.call(poison, "ringing").contact("c-1", "nul\u0000name", "+14155550111").build(),
                DialpadEvents.call(after, "ringing").build()));
        BlockingQueue<PushEvent> queue = new LinkedBlockingQueue<>();

        try (PushFeed.Subscription subscription = channel.subscribe(queue::add)) {
            processor("poison", 200).processBatch();

            WebhookEvent failed = events.find(ids.get(1)).orElseThrow();
            assertThat(failed.status()).isEqualTo(WebhookEventStatus.FAILED);
            assertThat(failed.attempts()).isEqualTo(1);
            assertThat(failed.lastError()).hasValueSatisfying(e -> assertThat(e)
                    .startsWith("StoreUnavailableException").doesNotContain("nul"));
            assertThat(events.find(ids.get(0)).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
            assertThat(events.find(ids.get(2)).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
            assertThat(calls.findByDialpadId(app, Long.toString(poison))).isEmpty();
            assertThat(typesByCall(pushedAfter(app, queue))).containsOnlyKeys(Long.toString(before),
                    Long.toString(after));
        } finally {
            // out of the way of the other tests, which share the inbox
            events.markProcessed(ids.get(1));
        }
    }

    @Test
    void processWhenWorkersRaceOnTheStatesOfNewCallsThenNothingIsLostAndEachCallRingsAndStartsOnce()
            throws Exception {
        UUID app = Apps.insert(testDatabase);
        List<DialpadEvent> delivered = new ArrayList<>();
        List<String> callIds = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            long callId = IDS.incrementAndGet();
            callIds.add(Long.toString(callId));
            // connected stored first: a worker may well apply it before another applies the ringing
            delivered.add(DialpadEvents.call(callId, "connected").build());
            delivered.add(DialpadEvents.call(callId, "ringing").build());
        }
        List<UUID> ids = store(app, delivered);
        BlockingQueue<PushEvent> queue = new LinkedBlockingQueue<>();

        try (PushFeed.Subscription subscription = channel.subscribe(queue::add)) {
            List<Integer> claimed = OAuthStoreFixtures.race(4, () -> {
                EventProcessor worker = processor("racer-" + UUID.randomUUID(), 1);
                int total = 0;
                for (int n = worker.processBatch(); n > 0; n = worker.processBatch()) {
                    total += n;
                }
                return total;
            });
            Map<String, List<String>> byCall = typesByCall(pushedAfter(app, queue));

            assertThat(claimed.stream().mapToInt(Integer::intValue).sum()).isEqualTo(delivered.size());
            assertProcessed(ids);
            for (String callId : callIds) {
                assertThat(byCall.get(callId)).as("pushes of call %s", callId)
                        .containsExactly("call.ring", "call.started");
                Call call = calls.findByDialpadId(app, callId).orElseThrow();
                assertThat(call.statesSeen()).contains(DialpadCallState.RINGING, DialpadCallState.CONNECTED);
                assertThat(call.status()).isEqualTo(CallStatus.ACTIVE);
            }
        }
    }

    private static void assertProcessed(List<UUID> ids) {
        assertThat(ids).allSatisfy(id -> assertThat(events.find(id).orElseThrow().status())
                .isEqualTo(WebhookEventStatus.PROCESSED));
    }

    @Test
    void inTransactionWhenTheWorkThrowsThenNoCallMessageMarkOrPushIsLeft() throws Exception {
        UUID app = Apps.insert(testDatabase);
        long callId = IDS.incrementAndGet();
        long sms = IDS.incrementAndGet();
        UUID eventId = store(app, List.of(DialpadEvents.call(callId, "ringing").build())).get(0);
        CallKey key = new CallKey(app, Long.toString(callId));
        CallEvent ringing = ((CallEvent.Parse.Parsed) CallEvent.parse(DialpadEvents.call(callId, "ringing").build()
                .payload())).event();
        SmsEvent message = ((SmsEvent.Parse.Parsed) SmsEvent.parse(DialpadEvents.sms(sms).build().payload()))
                .event();
        PushEvent push = new PushEvent(UUID.randomUUID(), app, PushEventType.CALL_RING, Instant.now(),
                Optional.empty(), Map.of("dialpad_call_id", Long.toString(callId)));
        BlockingQueue<PushEvent> queue = new LinkedBlockingQueue<>();

        try (PushFeed.Subscription subscription = channel.subscribe(queue::add)) {
            assertThatThrownBy(() -> JdbiProcessingStore.create(database, CLOCK).inTransaction(tx -> {
                assertThat(tx.lockCalls(List.of(key))).isEmpty();
                assertThat(tx.saveCalls(List.of(CallMerge.first(UUID.randomUUID(), app, ringing)))).isEmpty();
                assertThat(tx.insertMessages(List.of(new NewMessage(app, message, Instant.now())))).hasSize(1);
                tx.publish(List.of(push));
                tx.markProcessed(List.of(eventId));
                throw new IllegalStateException("the batch fails at the last moment");
            })).isInstanceOf(IllegalStateException.class);

            assertThat(pushedAfter(app, queue)).isEmpty();
            assertThat(calls.findByDialpadId(app, Long.toString(callId))).isEmpty();
            assertThat(messages.findByDialpadId(app, Long.toString(sms))).isEmpty();
            assertThat(events.find(eventId).orElseThrow().status()).isEqualTo(WebhookEventStatus.RECEIVED);
        } finally {
            events.markProcessed(eventId);
        }
    }

    @Test
    void inTransactionWhenPushesArePublishedWithOrWithoutMarkingThenEachIsSentOnceInOrderAtCommit() throws Exception {
        UUID app = Apps.insert(testDatabase);
        UUID eventId = store(app, List.of(DialpadEvents.call(IDS.incrementAndGet(), "ringing").build())).get(0);
        List<PushEvent> marked = List.of(push(app, "first"), push(app, "second"));
        List<PushEvent> published = List.of(push(app, "third"), push(app, "fourth"));
        BlockingQueue<PushEvent> queue = new LinkedBlockingQueue<>();

        try (PushFeed.Subscription subscription = channel.subscribe(queue::add)) {
            // sent with the statement that marks the event processed
            JdbiProcessingStore.create(database, CLOCK).inTransaction(tx -> {
                tx.publish(marked);
                tx.markProcessed(List.of(eventId));
            });
            // nothing to mark: sent on their own before the commit
            JdbiProcessingStore.create(database, CLOCK).inTransaction(tx -> tx.publish(published));

            assertThat(pushedAfter(app, queue)).extracting(PushEvent::id)
                    .containsExactly(marked.get(0).id(), marked.get(1).id(), published.get(0).id(),
                            published.get(1).id());
            assertThat(events.find(eventId).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
        }
    }

    private static PushEvent push(UUID app, String label) {
        return new PushEvent(UUID.randomUUID(), app, PushEventType.CALL_RING, Instant.now(), Optional.empty(),
                Map.of("label", label));
    }

    /** Makes processed events due again, as if their processing had never been recorded. */
    private static void reopen(List<UUID> ids) throws SQLException {
        try (Connection connection = testDatabase.connect();
             PreparedStatement update = connection.prepareStatement("UPDATE webhook_events SET status = 'received', "
                     + "processed_at = NULL, next_attempt_at = received_at WHERE id = ANY (?)")) {
            update.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            update.executeUpdate();
        }
    }
}
