package dev.switchboard.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-04-01T08:00:00Z"), ZoneOffset.UTC);

    @Test
    void runOnceWhenAJobFailsThenTheOthersStillRunAndTheTotalCountsTheirRows() {
        List<String> ran = new ArrayList<>();
        Retention retention = Retention.of(List.of(
                new Retention.Job("first", () -> {
                    ran.add("first");
                    return 3;
                }),
                new Retention.Job("broken", () -> {
                    ran.add("broken");
                    throw new StoreUnavailableException("database down", null);
                }),
                new Retention.Job("last", () -> {
                    ran.add("last");
                    return 2;
                })));

        assertThat(retention.runOnce()).isEqualTo(5);
        assertThat(ran).containsExactly("first", "broken", "last");
    }

    @Test
    void olderThanWhenRunThenTheCutoffIsTheAgeBeforeNow() {
        List<Instant> cutoffs = new ArrayList<>();
        Retention.Job job = Retention.Job.olderThan("events", Duration.ofDays(7), CLOCK, cutoff -> {
            cutoffs.add(cutoff);
            return 0;
        });

        Retention.of(List.of(job)).runOnce();

        assertThat(cutoffs).containsExactly(Instant.parse("2026-03-25T08:00:00Z"));
    }
}
