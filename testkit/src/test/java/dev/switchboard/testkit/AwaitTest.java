package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {
    @Test
    void untilWhenTheValueIsAcceptedAtOnceThenProbesOnce() throws Exception {
        AtomicInteger probes = new AtomicInteger();

        int value = Await.atMost(Duration.ofSeconds(10)).until(probes::incrementAndGet, n -> n >= 1);

        assertThat(value).isEqualTo(1);
        assertThat(probes).hasValue(1);
    }

    @Test
    void untilWhenTheStateChangesBetweenProbesThenReturnsTheFirstAcceptedValue() throws Exception {
        AtomicInteger probes = new AtomicInteger();

        int value = Await.atMost(Duration.ofSeconds(10)).pollingEvery(Duration.ofMillis(1))
                .until(probes::incrementAndGet, n -> n == 3);

        assertThat(value).isEqualTo(3);
        assertThat(probes).hasValue(3);
    }

    @Test
    void untilWhenTheDeadlineHasPassedThenReturnsTheLastValueRead() throws Exception {
        AtomicInteger probes = new AtomicInteger();

        int value = Await.atMost(Duration.ZERO).until(probes::incrementAndGet, n -> false);

        assertThat(value).isEqualTo(1);
        assertThat(Await.atMost(Duration.ZERO).until(() -> false)).isFalse();
        assertThat(Await.atMost(Duration.ZERO).until(() -> true)).isTrue();
    }

    @Test
    void untilWhenTheProbeThrowsThenTheWaitEndsWithItsException() {
        IOException failure = new IOException("refused");

        assertThatThrownBy(() -> Await.atMost(Duration.ofSeconds(10)).until(() -> {
            throw failure;
        }, value -> false)).isSameAs(failure);
    }

    @Test
    void atMostWhenTimeoutIsNegativeOrIntervalIsNotPositiveThenRefused() {
        assertThatThrownBy(() -> Await.atMost(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Await.atMost(Duration.ofSeconds(1)).pollingEvery(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
