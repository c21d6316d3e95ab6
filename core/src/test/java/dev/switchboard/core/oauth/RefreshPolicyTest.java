package dev.switchboard.core.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RefreshPolicyTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private final RefreshPolicy policy = RefreshPolicy.defaults();

    @Test
    void dueAtWhenLifetimeIsAnHourThenTwentyPercentBeforeExpiry() {
        assertThat(policy.dueAt(T0, T0.plus(Duration.ofHours(1)))).isEqualTo(T0.plus(Duration.ofMinutes(48)));
    }

    @Test
    void dueAtWhenLifetimeIsShortThenFiveMinutesBeforeExpiry() {
        assertThat(policy.dueAt(T0, T0.plus(Duration.ofMinutes(20)))).isEqualTo(T0.plus(Duration.ofMinutes(15)));
    }

    @Test
    void dueAtWhenLifetimeUnderTenMinutesThenHalfWayNeverAtTheLastSecond() {
        assertThat(policy.dueAt(T0, T0.plus(Duration.ofMinutes(2)))).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        assertThat(policy.dueAt(T0, T0.plus(Duration.ofSeconds(10)))).isEqualTo(T0.plus(Duration.ofSeconds(5)));
    }

    @Test
    void dueAtWhenAlreadyExpiredThenImmediately() {
        assertThat(policy.dueAt(T0, T0.minusSeconds(1))).isEqualTo(T0);
    }

    @Test
    void isDueWhenNextAttemptReachedThenTrue() {
        Connection connection = connection(RefreshHealth.initial(T0.plusSeconds(60)));
        assertThat(policy.isDue(connection, T0.plusSeconds(59))).isFalse();
        assertThat(policy.isDue(connection, T0.plusSeconds(60))).isTrue();
    }

    @Test
    void isDueWhenNeedsReconnectThenNeverDue() {
        Connection connection = connection(new RefreshHealth(Optional.empty(), Optional.of(T0), 1,
                Optional.of("invalid_grant"), true, T0));
        assertThat(policy.isDue(connection, T0.plus(Duration.ofDays(365)))).isFalse();
    }

    @Test
    void backoffWhenFailuresGrowThenDoublesUpToTheCap() {
        assertThat(policy.backoff(1, 0.999999)).isBetween(Duration.ofMillis(29_990), Duration.ofSeconds(30));
        assertThat(policy.backoff(1, 0)).isEqualTo(Duration.ofSeconds(15));
        assertThat(policy.backoff(2, 0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.backoff(3, 0)).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.backoff(6, 0)).isEqualTo(Duration.ofMinutes(7).plusSeconds(30));
        assertThat(policy.backoff(7, 0)).isEqualTo(Duration.ofSeconds(450));
        assertThat(policy.backoff(7, 0.999999)).isLessThanOrEqualTo(Duration.ofMinutes(15));
        assertThat(policy.backoff(1_000, 0.5)).isEqualTo(Duration.ofMillis(675_000));
    }

    @Test
    void backoffWhenJitterOutOfRangeThenRejected() {
        assertThatThrownBy(() -> policy.backoff(1, 1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> policy.backoff(0, 0.5)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void afterFailureWhenTransientThenRetryAfterBackoffCountingPreviousFailures() {
        Connection twice = connection(new RefreshHealth(Optional.empty(), Optional.of(T0), 2,
                Optional.of("unavailable"), false, T0));
        assertThat(policy.afterFailure(twice, "unavailable", T0, 0))
                .isEqualTo(new RefreshPolicy.AfterFailure.RetryAt(T0.plusSeconds(60)));
    }

    @Test
    void afterFailureWhenInvalidGrantThenNeedsReconnect() {
        Connection connection = connection(RefreshHealth.initial(T0));
        assertThat(policy.afterFailure(connection, "invalid_grant", T0, 0.3))
                .isEqualTo(new RefreshPolicy.AfterFailure.NeedsReconnect());
    }

    @Test
    void constructorWhenFractionOrBackoffInvalidThenRejected() {
        assertThatThrownBy(() -> new RefreshPolicy(Duration.ofMinutes(5), 0.9, Duration.ofSeconds(30),
                Duration.ofMinutes(15))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RefreshPolicy(Duration.ofMinutes(5), 0.2, Duration.ofMinutes(30),
                Duration.ofMinutes(15))).isInstanceOf(IllegalArgumentException.class);
    }

    private static Connection connection(RefreshHealth health) {
        return new Connection(UUID.randomUUID(), "5100000000000", "access", "refresh", T0.plus(Duration.ofHours(1)),
                DialpadEnvironment.SANDBOX, T0, T0, health);
    }
}
