package dev.switchboard.core.webhook;

import dev.switchboard.core.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.testing.InMemoryProcessingStore;
import dev.switchboard.core.testing.InMemoryWebhookEventStore;
import dev.switchboard.core.testing.OrganisationConnections;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How idle workers poll the store: once per interval of the injected clock for the instance, and still finding what
 * no signal announced. The clock only moves when the test moves it, so every claim after the first of each worker is
 * one the test caused.
 */
class EventProcessorPollingTest {
    private static final Duration POLL = Duration.ofMillis(20);
    private static final long AWAIT_SECONDS = 30;

    private final MutableClock clock = MutableClock.at(Instant.parse("2025-01-15T10:05:00Z"));

    /** Counts the claims made on it, and lets the test await them. */
    private static final class CountingStore extends InMemoryWebhookEventStore {
        final AtomicInteger claims = new AtomicInteger();
        final Semaphore claimed = new Semaphore(0);

        CountingStore(MutableClock clock) {
            super(clock);
        }

        @Override
        public synchronized List<WebhookEvent> claim(int limit, Instant now, Duration lease, String owner) {
            claims.incrementAndGet();
            List<WebhookEvent> events = super.claim(limit, now, lease, owner);
            claimed.release();
            return events;
        }
    }

    private EventProcessor processor(CountingStore store, int workers) {
        EventProcessor.Settings settings = new EventProcessor.Settings("instance-a", workers, 500,
                Duration.ofSeconds(60), POLL, Duration.ofSeconds(1), Duration.ofMinutes(10), 12, Duration.ofDays(1));
        return EventProcessor.create(store, new InMemoryProcessingStore(store, Map.of()),
                OrganisationRouter.create(OrganisationConnections.of(Map.of()), clock), LocalEventSignal.create(),
                clock, settings);
    }

    @Test
    void idleWhenManyWorkersWaitThenTheInstanceClaimsOncePerPollIntervalNotOncePerWorker() throws Exception {
        CountingStore store = new CountingStore(clock);
        try (EventProcessor processor = processor(store, 8)) {
            processor.start();
            // each worker claims once as it starts
            assertThat(store.claimed.tryAcquire(8, AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

            for (int interval = 1; interval <= 5; interval++) {
                clock.advance(POLL);
                assertThat(store.claimed.tryAcquire(1, AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            }

            // eight workers polling each on their own would have claimed eight times per interval
            assertThat(store.claims.get()).isEqualTo(8 + 5);
        }
    }

    @Test
    void idleWhenTheClockIsSetBackThenTheWorkersStillPoll() throws Exception {
        CountingStore store = new CountingStore(clock);
        try (EventProcessor processor = processor(store, 2)) {
            processor.start();
            assertThat(store.claimed.tryAcquire(2, AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();

            clock.advance(Duration.ofHours(-1));

            assertThat(store.claimed.tryAcquire(1, AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void idleWhenAnEventIsStoredWithoutASignalThenAPollFindsIt() throws Exception {
        CountingStore store = new CountingStore(clock);
        byte[] raw = JsonCodec.write(Map.of("call_id", 5, "state", "ringing", "event_timestamp", 1))
                .getBytes(StandardCharsets.UTF_8);
        UUID id;
        try (EventProcessor processor = processor(store, 4)) {
            processor.start();
            assertThat(store.claimed.tryAcquire(4, AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
            id = store.store(NewWebhookEvent.of(Optional.of(UUID.randomUUID()), Optional.empty(),
                    JsonCodec.parseObject(raw), raw, clock.instant())).id();

            clock.advance(POLL);
            assertThat(store.claimed.tryAcquire(1, AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }

        // closing waited for the batch of that claim
        assertThat(store.find(id).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
    }
}
