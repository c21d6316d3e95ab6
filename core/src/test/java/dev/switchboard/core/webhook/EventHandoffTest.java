package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.testing.InMemoryProcessingStore;
import dev.switchboard.core.testing.InMemoryWebhookEventStore;
import dev.switchboard.core.testing.OrganisationConnections;
import dev.switchboard.core.webhook.WebhookEventStore.Lease;
import dev.switchboard.core.webhook.WebhookEventStore.Stored;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The intake handing the events it stores to the processor of its instance, leased, without a claim. */
class EventHandoffTest {
    private static final UUID APP = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-15T10:05:00Z"), ZoneOffset.UTC);
    private static final BatchingWebhookEventStore.Settings ONE_WRITER =
            new BatchingWebhookEventStore.Settings(1, 256, Duration.ofSeconds(30));

    /** The inbox in memory, leasing what it inserts as the port allows; remembers each insert's lease. */
    private static final class LeasingStore extends InMemoryWebhookEventStore {
        final Map<UUID, Lease> leasedOnStore = new ConcurrentHashMap<>();

        LeasingStore() {
            super(CLOCK, true);
        }

        @Override
        public synchronized List<Stored> storeAll(List<NewWebhookEvent> events, Lease lease) {
            List<Stored> stored = super.storeAll(events, lease);
            stored.stream().filter(one -> !one.duplicate()).forEach(one -> leasedOnStore.put(one.id(), lease));
            return stored;
        }
    }

    /** A handoff that takes everything, or nothing when {@code room} is false, and keeps what it was handed. */
    private static final class Receiver implements EventHandoff {
        final List<WebhookEvent> handed = new CopyOnWriteArrayList<>();
        private final boolean room;

        Receiver(boolean room) {
            this.room = room;
        }

        @Override
        public Optional<Lease> reserve(int count) {
            return room ? Optional.of(new Lease("instance-a", CLOCK.instant().plusSeconds(60))) : Optional.empty();
        }

        @Override
        public void accept(List<WebhookEvent> events) {
            handed.addAll(events);
        }
    }

    private static NewWebhookEvent ringing(long callId) {
        Map<String, Object> payload = Map.of("call_id", callId, "state", "ringing", "direction", "inbound",
                "external_number", "+14155550100", "date_started", 1_736_935_200_000L,
                "event_timestamp", 1_736_935_200_007L);
        byte[] raw = JsonCodec.write(payload).getBytes(StandardCharsets.UTF_8);
        return NewWebhookEvent.of(Optional.of(APP), Optional.empty(), JsonCodec.parseObject(raw), raw, CLOCK.instant());
    }

    /** A one-writer inbox on {@code store} that hands its batches to {@code receiver}. */
    private static BatchingWebhookEventStore handingOffTo(Receiver receiver, LeasingStore store) {
        BatchingWebhookEventStore inbox = Inboxes.withWriters(store, LocalEventSignal.create(), ONE_WRITER);
        inbox.handOffTo(receiver);
        return inbox;
    }

    private static EventProcessor processor(WebhookEventStore events, ProcessingStore processing, EventSignal signal,
                                            EventProcessor.Settings settings) {
        return EventProcessor.create(events, processing,
                OrganisationRouter.create(OrganisationConnections.of(Map.of()), CLOCK), signal, CLOCK, settings);
    }

    @Test
    void storeWhenTheProcessorHasRoomThenStoredLeasedToItAndProcessedWithoutBeingClaimed() throws Exception {
        LeasingStore store = new LeasingStore();
        InMemoryProcessingStore processing = new InMemoryProcessingStore(store, Map.of());
        EventSignal signal = LocalEventSignal.create();
        try (BatchingWebhookEventStore inbox = Inboxes.withWriters(store, signal, ONE_WRITER);
             EventProcessor processor = processor(inbox, processing, signal,
                     EventProcessor.Settings.defaults("instance-a", 1))) {
            processor.start();
            inbox.handOffTo(processor);

            Stored stored = inbox.store(ringing(7));
            assertThat(store.awaitProcessed(stored.id(), Duration.ofSeconds(30))).isTrue();

            // leased until 60 s after the fixed clock's now, the event can never be claimed here: only the
            // handoff can have brought it to the processor
            assertThat(store.leasedOnStore.get(stored.id()))
                    .isEqualTo(new Lease("instance-a", CLOCK.instant().plusSeconds(60)));
            assertThat(store.claim(10, CLOCK.instant(), Duration.ofSeconds(60), "instance-b")).isEmpty();
            assertThat(store.find(stored.id()).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
            assertThat(processing.published()).extracting(push -> push.type().wireName()).containsExactly("call.ring");
        }
    }

    @Test
    void storeWhenHandingOffThenOnlyNewEventsAreHandedInTheOrderStoredAsStored() {
        LeasingStore store = new LeasingStore();
        Receiver receiver = new Receiver(true);
        try (BatchingWebhookEventStore inbox = handingOffTo(receiver, store)) {

            Stored first = inbox.store(ringing(1));
            Stored again = inbox.store(ringing(1));
            Stored second = inbox.store(ringing(2));

            assertThat(again).isEqualTo(new Stored(first.id(), true));
            assertThat(receiver.handed).extracting(WebhookEvent::id).containsExactly(first.id(), second.id());
            WebhookEvent handed = receiver.handed.get(0);
            assertThat(handed.status()).isEqualTo(WebhookEventStatus.RECEIVED);
            assertThat(handed.attempts()).isZero();
            assertThat(handed.appId()).contains(APP);
            assertThat(handed.payload()).isEqualTo(store.find(first.id()).orElseThrow().payload());
            assertThat(handed.receivedAt()).isEqualTo(CLOCK.instant());
        }
    }

    @Test
    void storeWhenTheProcessorHasNoRoomThenStoredUnleasedForAnyClaimerAndNotHanded() {
        LeasingStore store = new LeasingStore();
        Receiver receiver = new Receiver(false);
        try (BatchingWebhookEventStore inbox = handingOffTo(receiver, store)) {

            Stored stored = inbox.store(ringing(3));

            assertThat(receiver.handed).isEmpty();
            assertThat(store.leasedOnStore).isEmpty();
            assertThat(store.claim(10, CLOCK.instant(), Duration.ofSeconds(60), "instance-b"))
                    .extracting(WebhookEvent::id).containsExactly(stored.id());
        }
    }

    @Test
    void reserveWhenRunningThenALeaseToThisInstanceWithinItsRoomAndNoneBeforeStartOrAfterClose() {
        InMemoryWebhookEventStore store = new InMemoryWebhookEventStore(CLOCK);
        EventProcessor.Settings settings = new EventProcessor.Settings("instance-a", 1, 2, Duration.ofSeconds(45),
                Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMinutes(10), 12, Duration.ofDays(1));
        EventProcessor processor = processor(store, new InMemoryProcessingStore(store, Map.of()),
                LocalEventSignal.create(), settings);

        assertThat(processor.reserve(1)).isEmpty();
        processor.start();
        try {
            assertThat(processor.reserve(2)).contains(new Lease("instance-a", CLOCK.instant().plusSeconds(45)));
            // room for one batch per worker
            assertThat(processor.reserve(3)).isEmpty();
        } finally {
            processor.close();
        }
        assertThat(processor.reserve(1)).isEmpty();
    }

    @Test
    void closeWhenHandedEventsWereNotProcessedThenTheirLeasesAreReleasedForAnyClaimer() {
        LeasingStore store = new LeasingStore();
        Lease lease = new Lease("instance-a", CLOCK.instant().plusSeconds(60));
        List<Stored> stored = store.storeAll(List.of(ringing(11), ringing(12)), lease);
        EventProcessor processor = processor(store, new InMemoryProcessingStore(store, Map.of()),
                LocalEventSignal.create(), EventProcessor.Settings.defaults("instance-a", 1));
        // handed, and never taken: the processor was not started
        processor.accept(stored.stream().map(one -> store.find(one.id()).orElseThrow()).toList());
        assertThat(store.claim(10, CLOCK.instant(), Duration.ofSeconds(60), "instance-b")).isEmpty();

        processor.close();

        assertThat(store.claim(10, CLOCK.instant(), Duration.ofSeconds(60), "instance-b"))
                .extracting(WebhookEvent::id).containsExactlyInAnyOrder(stored.get(0).id(), stored.get(1).id());
    }
}
