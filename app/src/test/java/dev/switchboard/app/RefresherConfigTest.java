package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RefresherConfigTest {
    @Test
    void readWhenNothingSetThenSixteenConcurrentRefreshesAndFiveMinuteMargin() {
        RefresherConfig config = ((RefresherConfig.Reading.Valid) RefresherConfig.read(Map.of())).config();

        assertThat(config.concurrency()).isEqualTo(16);
        assertThat(config.minimumMargin()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.settings().concurrency()).isEqualTo(16);
        assertThat(config.policy().minimumMargin()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void readWhenVariablesSetThenUsed() {
        RefresherConfig config = ((RefresherConfig.Reading.Valid) RefresherConfig.read(Map.of(
                "REFRESH_CONCURRENCY", " 64 ", "REFRESH_MIN_MARGIN_SECONDS", "2"))).config();

        assertThat(config.settings().concurrency()).isEqualTo(64);
        assertThat(config.policy().minimumMargin()).isEqualTo(Duration.ofSeconds(2));
        // a 6-second token with a 2-second margin is refreshed 2 seconds before it expires
        Instant obtained = Instant.parse("2025-01-01T00:00:00Z");
        assertThat(config.policy().dueAt(obtained, obtained.plusSeconds(6))).isEqualTo(obtained.plusSeconds(4));
    }

    @Test
    void readWhenVariablesOutOfRangeOrNotNumbersThenEveryProblemListed() {
        RefresherConfig.Reading reading = RefresherConfig.read(Map.of(
                "REFRESH_CONCURRENCY", "0", "REFRESH_MIN_MARGIN_SECONDS", "soon"));

        assertThat(((RefresherConfig.Reading.Invalid) reading).problems()).containsExactly(
                "REFRESH_CONCURRENCY must be a whole number from 1 to 1000",
                "REFRESH_MIN_MARGIN_SECONDS must be a whole number from 1 to 86400");
        assertThat(RefresherConfig.read(Map.of("REFRESH_CONCURRENCY", "1001")))
                .isInstanceOf(RefresherConfig.Reading.Invalid.class);
    }
}
