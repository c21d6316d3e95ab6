package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void delayWhenAttemptsGrowThenMultipliesUpToTheCap() {
        Backoff backoff = Backoff.of(Duration.ofSeconds(1), Duration.ofMinutes(10));

        assertThat(backoff.delay(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.delay(10)).isEqualTo(Duration.ofSeconds(512));
        assertThat(backoff.delay(11)).isEqualTo(Duration.ofMinutes(10));
        assertThat(backoff.delay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void delayWhenMultiplierIsNotTwoThenGrowsByIt() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 3, 0);

        assertThat(backoff.delay(3)).isEqualTo(Duration.ofMillis(900));
        assertThat(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 1, 0).delay(50))
                .isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void delayWithJitterThenOnlyTheJitteredShareIsRandom() {
        Backoff equalJitter = Backoff.of(Duration.ofSeconds(30), Duration.ofMinutes(15)).withJitter(0.5);

        assertThat(equalJitter.delay(1, 0)).isEqualTo(Duration.ofSeconds(15));
        assertThat(equalJitter.delay(1, 0.5)).isEqualTo(Duration.ofMillis(22_500));
        assertThat(equalJitter.delay(1, 0.999999)).isBetween(Duration.ofMillis(29_999), Duration.ofSeconds(30));
        assertThat(equalJitter.delay(100, 0.5)).isEqualTo(Duration.ofMillis(675_000));
        assertThat(Backoff.of(Duration.ofSeconds(1), Duration.ofSeconds(8)).delay(2, 0.7))
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void createWhenValuesOutOfRangeThenRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> Backoff.of(Duration.ZERO, Duration.ofSeconds(1)));
        assertThatIllegalArgumentException().isThrownBy(() -> Backoff.of(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 0.5, 0));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(2), 2, 1.5));
        Backoff backoff = Backoff.of(Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThatIllegalArgumentException().isThrownBy(() -> backoff.delay(0));
        assertThatIllegalArgumentException().isThrownBy(() -> backoff.delay(1, 1.0));
    }
}
