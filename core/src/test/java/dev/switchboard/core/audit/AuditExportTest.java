package dev.switchboard.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.testing.RecordingAuditLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AuditExportTest {
    private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
    private static final UUID APP = UUID.randomUUID();
    private static final UUID OTHER = UUID.randomUUID();

    @Test
    void eventsWhenManyShareInstantsAcrossPagesThenEachComesOnceInOrder() {
        RecordingAuditLog trail = new RecordingAuditLog();
        int n = 0;
        for (int second = 0; second < 4; second++) {
            // 7 events at each instant with a page size of 3: pages end in the middle of an instant
            for (int i = 0; i < 7; i++) {
                add(trail, T0.plusSeconds(second), APP, n++);
            }
        }

        List<AuditEvent> exported = drain(AuditExport.over(trail, 3).events(Optional.of(APP), T0, T0.plusSeconds(60)));

        assertThat(exported).extracting(e -> e.details().get("n"))
                .containsExactlyElementsOf(numbers(0, 28));
        assertThat(trail.reads()).isGreaterThan(28 / 3);
    }

    @Test
    void eventsWhenNoAppIsGivenThenEveryAppAndRangeIsHalfOpen() {
        RecordingAuditLog trail = new RecordingAuditLog();
        add(trail, T0, APP, 0);
        add(trail, T0.plusSeconds(1), OTHER, 1);
        add(trail, T0.plusSeconds(2), null, 2);
        add(trail, T0.plusSeconds(3), APP, 3);

        assertThat(drain(AuditExport.over(trail, 2).events(Optional.empty(), T0, T0.plusSeconds(3))))
                .extracting(e -> e.details().get("n")).containsExactly("0", "1", "2");
        assertThat(drain(AuditExport.over(trail, 2).events(Optional.of(APP), T0, T0.plusSeconds(4))))
                .extracting(e -> e.details().get("n")).containsExactly("0", "3");
    }

    @Test
    void eventsWhenTrailIsEmptyThenNothingAfterOneRead() {
        RecordingAuditLog trail = new RecordingAuditLog();

        Iterator<AuditEvent> events = AuditExport.over(trail).events(Optional.empty(), T0, T0.plusSeconds(1));

        assertThat(events.hasNext()).isFalse();
        assertThat(trail.reads()).isEqualTo(1);
    }

    @Test
    void eventsWhenCalledThenFirstPageIsReadBeforeReturning() {
        RecordingAuditLog trail = new RecordingAuditLog();
        add(trail, T0, APP, 0);

        AuditExport.over(trail).events(Optional.of(APP), T0, T0.plusSeconds(1));

        assertThat(trail.reads()).isEqualTo(1);
    }

    @Test
    void eventsWhenUntilBeforeSinceThenIllegalArgument() {
        AuditExport export = AuditExport.over(new RecordingAuditLog());

        assertThatThrownBy(() -> export.events(Optional.empty(), T0, T0.minusNanos(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditExport.over(new RecordingAuditLog(), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<String> numbers(int from, int to) {
        List<String> numbers = new ArrayList<>();
        for (int i = from; i < to; i++) {
            numbers.add(Integer.toString(i));
        }
        return numbers;
    }

    private static List<AuditEvent> drain(Iterator<AuditEvent> events) {
        List<AuditEvent> all = new ArrayList<>();
        events.forEachRemaining(all::add);
        return all;
    }

    private static void add(RecordingAuditLog trail, Instant at, UUID appId, int n) {
        trail.record(new AuditEvent(at, AuditEventType.APP_UPDATED, Optional.ofNullable(appId), "system",
                Optional.empty(), Map.of("n", Integer.toString(n))));
    }
}
