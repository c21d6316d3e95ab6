package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.json.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How idle workers poll the store: once per interval for the instance, and still finding what no signal announced. */
class EventProcessorPollingTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-15T10:05:00Z"), ZoneOffset.UTC);
    private static final Duration POLL = Duration.ofMillis(50);

    /** Counts the claims made on it. */
    private static final class CountingStore extends ProcessorFakes.InMemoryEventStore {
        final AtomicInteger claims = new AtomicInteger();

        CountingStore() {
            super(CLOCK);
        }

        @Override
        public synchronized List<WebhookEvent> claim(int limit, Instant now, Duration lease, String owner) {
            claims.incrementAndGet();
            return super.claim(limit, now, lease, owner);
        }
    }

    private static EventProcessor processor(CountingStore store, int workers) {
        EventProcessor.Settings settings = new EventProcessor.Settings("instance-a", workers, 500,
                Duration.ofSeconds(60), POLL, Duration.ofSeconds(1), Duration.ofMinutes(10), 12, Duration.ofDays(1));
        return EventProcessor.create(store, new ProcessorFakes.InMemoryProcessing(store, Map.of()),
                OrganisationRouter.create(ProcessorFakes.connections(Map.of()), CLOCK), LocalEventSignal.create(),
                CLOCK, settings);
    }

    @Test
    void idleWhenManyWorkersWaitThenTheInstanceClaimsAboutOncePerPollIntervalNotOncePerWorker() throws Exception {
        CountingStore store = new CountingStore();
        long started = System.nanoTime();
        try (EventProcessor processor = processor(store, 8)) {
            processor.start();
            Thread.sleep(1_000);
        }
        long intervals = Duration.ofNanos(System.nanoTime() - started).toMillis() / POLL.toMillis();

        // eight workers polling each on their own would claim about 8 x intervals times; a slow machine only
        // claims less, never more. The first claim of each worker at start comes on top.
        assertThat(store.claims.get()).isPositive().isLessThanOrEqualTo((int) (2 * intervals) + 8);
    }

    @Test
    void idleWhenAnEventIsStoredWithoutASignalThenAPollFindsIt() throws Exception {
        CountingStore store = new CountingStore();
        byte[] raw = JsonCodec.write(Map.of("call_id", 5, "state", "ringing", "event_timestamp", 1))
                .getBytes(StandardCharsets.UTF_8);
        try (EventProcessor processor = processor(store, 4)) {
            processor.start();
            Thread.sleep(200);
            UUID id = store.store(NewWebhookEvent.of(Optional.of(UUID.randomUUID()), Optional.empty(),
                    JsonCodec.parseObject(raw), raw, CLOCK.instant())).id();

            for (int i = 0; i < 500 && store.find(id).orElseThrow().status() != WebhookEventStatus.PROCESSED; i++) {
                Thread.sleep(10);
            }

            assertThat(store.find(id).orElseThrow().status()).isEqualTo(WebhookEventStatus.PROCESSED);
        }
    }
}
