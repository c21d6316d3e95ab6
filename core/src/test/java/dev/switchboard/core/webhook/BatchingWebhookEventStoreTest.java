package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.testing.InMemoryWebhookEventStore;
import dev.switchboard.core.testing.OrganisationConnections;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class BatchingWebhookEventStoreTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-15T10:00:00Z"), ZoneOffset.UTC);

    /** Records each storeAll batch; holds the first batch until released, so the others pile up behind it. */
    private static final class SlowDelegate extends InMemoryWebhookEventStore {
        final List<Integer> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean failing;

        SlowDelegate() {
            super(CLOCK);
        }

        @Override
        public List<Stored> storeAll(List<NewWebhookEvent> events) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failing) {
                throw new StoreUnavailableException("database down", null);
            }
            batches.add(events.size());
            return events.stream().map(this::store).toList();
        }
    }

    private static NewWebhookEvent event(int n) {
        byte[] raw = ("{\"call_id\":" + n + ",\"state\":\"ringing\",\"event_timestamp\":1}")
                .getBytes(StandardCharsets.UTF_8);
        return NewWebhookEvent.of(Optional.of(UUID.nameUUIDFromBytes(new byte[] {1})), Optional.empty(),
                dev.switchboard.core.json.JsonCodec.parseObject(raw), raw, CLOCK.instant());
    }

    @Test
    void storeWhenManyCallersAtOnceThenEachGetsItsOwnResultAndRepeatsAreDuplicates() throws Exception {
        SlowDelegate delegate = new SlowDelegate();
        LocalEventSignal signal = LocalEventSignal.create();
        ExecutorService callers = Executors.newFixedThreadPool(40);
        try (BatchingWebhookEventStore store = Inboxes.withWriters(delegate, signal,
                new BatchingWebhookEventStore.Settings(1, 256, Duration.ofSeconds(30)))) {
            List<Future<WebhookEventStore.Stored>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i % 20;
                results.add(callers.submit(() -> store.store(event(n))));
            }
            delegate.release.countDown();
            List<WebhookEventStore.Stored> stored = new ArrayList<>();
            for (Future<WebhookEventStore.Stored> result : results) {
                stored.add(result.get());
            }

            assertThat(stored).filteredOn(s -> !s.duplicate()).hasSize(20);
            assertThat(stored.stream().map(WebhookEventStore.Stored::id).distinct()).hasSize(20);
            assertThat(delegate.batches.stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void storeWhenTheBatchFailsThenEveryCallerGetsStoreUnavailable() {
        SlowDelegate delegate = new SlowDelegate();
        delegate.failing = true;
        delegate.release.countDown();
        try (BatchingWebhookEventStore store = Inboxes.withWriters(delegate, LocalEventSignal.create(),
                BatchingWebhookEventStore.Settings.DEFAULTS)) {
            assertThatThrownBy(() -> store.store(event(1))).isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("database down");
        }
        assertThat(delegate.backlog()).isZero();
    }

    @Test
    void closeWhenEventsAreWaitingForTheWriterThenTheyAreWrittenBeforeItStops() throws Exception {
        SlowDelegate delegate = new SlowDelegate();
        List<Thread> callerThreads = new CopyOnWriteArrayList<>();
        ExecutorService callers = Executors.newFixedThreadPool(10, task -> {
            Thread thread = new Thread(task);
            callerThreads.add(thread);
            return thread;
        });
        BatchingWebhookEventStore store = Inboxes.withWriters(delegate, LocalEventSignal.create(),
                new BatchingWebhookEventStore.Settings(1, 2, Duration.ofSeconds(30)));
        try {
            List<Future<WebhookEventStore.Stored>> results = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int n = i;
                results.add(callers.submit(() -> store.store(event(n))));
            }
            // every caller waits for its answer: its event is in the queue or in the held batch
            while (callerThreads.size() < 10
                    || callerThreads.stream().anyMatch(t -> t.getState() != Thread.State.TIMED_WAITING)) {
                Thread.onSpinWait();
            }
            Future<?> closing = callers.submit(store::close);
            delegate.release.countDown();
            closing.get();

            for (Future<WebhookEventStore.Stored> result : results) {
                assertThat(result.get().duplicate()).isFalse();
            }
            assertThat(delegate.batches.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
            assertThatThrownBy(() -> store.store(event(11))).isInstanceOf(StoreUnavailableException.class);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void storeWhenClosedThenStoreUnavailable() {
        BatchingWebhookEventStore store = Inboxes.withWriters(new SlowDelegate(),
                LocalEventSignal.create(), BatchingWebhookEventStore.Settings.DEFAULTS);
        store.close();

        assertThatThrownBy(() -> store.store(event(1))).isInstanceOf(StoreUnavailableException.class);
    }

    @Test
    void storeWhenNoWritersStartedThenTheCallerWritesItsOwnEventAndWakesTheSignal() throws Exception {
        InMemoryWebhookEventStore delegate = new InMemoryWebhookEventStore(CLOCK);
        LocalEventSignal signal = LocalEventSignal.create();
        Thread caller = Thread.currentThread();
        List<Thread> writingThreads = new CopyOnWriteArrayList<>();
        WebhookEventStore watched = new InMemoryWebhookEventStore(CLOCK) {
            @Override
            public List<Stored> storeAll(List<NewWebhookEvent> events) {
                writingThreads.add(Thread.currentThread());
                return delegate.storeAll(events);
            }
        };
        try (BatchingWebhookEventStore store = BatchingWebhookEventStore.create(watched, signal,
                BatchingWebhookEventStore.Settings.DEFAULTS)) {
            WebhookEventStore.Stored first = store.store(event(1));

            assertThat(first.duplicate()).isFalse();
            assertThat(store.store(event(1))).isEqualTo(new WebhookEventStore.Stored(first.id(), true));
            assertThat(writingThreads).containsOnly(caller);
            assertThat(delegate.find(first.id())).isPresent();
            assertThat(signal.awaitNext(Duration.ZERO)).isTrue();
        }
    }

    @Test
    void startWritersWhenStartedTwiceOrAfterCloseThenRefused() {
        BatchingWebhookEventStore store = BatchingWebhookEventStore.create(new InMemoryWebhookEventStore(CLOCK),
                LocalEventSignal.create(), BatchingWebhookEventStore.Settings.DEFAULTS);
        WebhookWriters.start(store);

        assertThatThrownBy(() -> WebhookWriters.start(store)).isInstanceOf(IllegalStateException.class);
        store.close();
        BatchingWebhookEventStore closed = BatchingWebhookEventStore.create(new InMemoryWebhookEventStore(CLOCK),
                LocalEventSignal.create(), BatchingWebhookEventStore.Settings.DEFAULTS);
        closed.close();
        assertThatThrownBy(() -> WebhookWriters.start(closed)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void awaitNextWhenWokenBeforeTheWaitThenReturnsAtOnce() throws Exception {
        LocalEventSignal signal = LocalEventSignal.create();
        assertThat(signal.awaitNext(Duration.ofMillis(1))).isFalse();

        signal.wake();

        assertThat(signal.awaitNext(Duration.ofDays(1))).isTrue();
    }

    @Test
    void routeWhenCompanyIdIsConnectedThenEveryAppOfItElseUnroutedWithTheFirstCandidate() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        OrganisationRouter router = OrganisationRouter.create(
                OrganisationConnections.of(Map.of("77", List.of(a, b))), CLOCK);

        var routed = router.route(Map.of("company_id", 77L));
        var byOffice = router.route(Map.of("target", Map.of("office_id", "77")));
        var unrouted = router.route(Map.of("organization_id", "12", "target", Map.of("office_id", 13)));

        assertThat(routed.appIds()).containsExactly(a, b);
        assertThat(routed.organisationId()).contains("77");
        assertThat(byOffice.appIds()).containsExactly(a, b);
        assertThat(unrouted.unrouted()).isTrue();
        assertThat(unrouted.organisationId()).contains("12");
    }
}
