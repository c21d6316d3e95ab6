package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.webhook.InboxCounts;
import dev.switchboard.core.testing.MutableClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InboxMetersTest {
    @Test
    void refreshWhenTheCountFailsThenTheGaugesKeepTheLastFiguresAndTheLagStillGrows() {
        MutableClock clock = MutableClock.at(Instant.parse("2026-04-01T08:00:00Z"));
        AtomicReference<InboxCounts> counts = new AtomicReference<>(
                new InboxCounts(7, 2, Optional.of(clock.instant().minusSeconds(30))));
        MeterRegistry registry = new SimpleMeterRegistry();
        try (InboxMeters meters = InboxMeters.start(() -> {
            InboxCounts now = counts.get();
            if (now == null) {
                throw new StoreUnavailableException("database down", null);
            }
            return now;
        }, registry, clock)) {
            meters.refresh();
            counts.set(null);
            clock.advance(Duration.ofSeconds(10));

            assertThat(catchThrowable(meters::refresh))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThat(registry.get("switchboard_events_backlog").gauge().value()).isEqualTo(7.0);
            assertThat(registry.get("switchboard_events_failed").gauge().value()).isEqualTo(2.0);
            assertThat(registry.get("switchboard_events_lag_seconds").gauge().value()).isEqualTo(40.0);
        }
    }
}
