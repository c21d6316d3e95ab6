package dev.switchboard.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
        InMemoryTrail trail = new InMemoryTrail();
        int n = 0;
        for (int second = 0; second < 4; second++) {
            // 7 events at each instant with a page size of 3: pages end in the middle of an instant
            for (int i = 0; i < 7; i++) {
                trail.add(T0.plusSeconds(second), APP, n++);
            }
        }

        List<AuditEvent> exported = drain(AuditExport.over(trail, 3).events(Optional.of(APP), T0, T0.plusSeconds(60)));

        assertThat(exported).extracting(e -> e.details().get("n"))
                .containsExactlyElementsOf(numbers(0, 28));
        assertThat(trail.reads).isGreaterThan(28 / 3);
    }

    @Test
    void eventsWhenNoAppIsGivenThenEveryAppAndRangeIsHalfOpen() {
        InMemoryTrail trail = new InMemoryTrail();
        trail.add(T0, APP, 0);
        trail.add(T0.plusSeconds(1), OTHER, 1);
        trail.add(T0.plusSeconds(2), null, 2);
        trail.add(T0.plusSeconds(3), APP, 3);

        assertThat(drain(AuditExport.over(trail, 2).events(Optional.empty(), T0, T0.plusSeconds(3))))
                .extracting(e -> e.details().get("n")).containsExactly("0", "1", "2");
        assertThat(drain(AuditExport.over(trail, 2).events(Optional.of(APP), T0, T0.plusSeconds(4))))
                .extracting(e -> e.details().get("n")).containsExactly("0", "3");
    }

    @Test
    void eventsWhenTrailIsEmptyThenNothingAfterOneRead() {
        InMemoryTrail trail = new InMemoryTrail();

        Iterator<AuditEvent> events = AuditExport.over(trail).events(Optional.empty(), T0, T0.plusSeconds(1));

        assertThat(events.hasNext()).isFalse();
        assertThat(trail.reads).isEqualTo(1);
    }

    @Test
    void eventsWhenCalledThenFirstPageIsReadBeforeReturning() {
        InMemoryTrail trail = new InMemoryTrail();
        trail.add(T0, APP, 0);

        AuditExport.over(trail).events(Optional.of(APP), T0, T0.plusSeconds(1));

        assertThat(trail.reads).isEqualTo(1);
    }

    @Test
    void eventsWhenUntilBeforeSinceThenIllegalArgument() {
        AuditExport export = AuditExport.over(new InMemoryTrail());

        assertThatThrownBy(() -> export.events(Optional.empty(), T0, T0.minusNanos(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AuditExport.over(new InMemoryTrail(), 0))
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

    /** The trail's contract over a list: half-open range, oldest first, ties in insertion order. */
    private static final class InMemoryTrail implements AuditTrail {
        private final List<AuditEvent> events = new ArrayList<>();
        int reads;

        void add(Instant at, UUID appId, int n) {
            events.add(new AuditEvent(at, AuditEventType.APP_UPDATED, Optional.ofNullable(appId), "system",
                    Optional.empty(), Map.of("n", Integer.toString(n))));
        }

        @Override
        public List<AuditEvent> read(UUID appId, Instant since, Instant until, int limit) {
            return select(Optional.of(appId), since, until, limit);
        }

        @Override
        public List<AuditEvent> readAll(Instant since, Instant until, int limit) {
            return select(Optional.empty(), since, until, limit);
        }

        private List<AuditEvent> select(Optional<UUID> appId, Instant since, Instant until, int limit) {
            assertThat(limit).isBetween(1, MAX_LIMIT);
            reads++;
            return events.stream()
                    .filter(e -> appId.isEmpty() || e.appId().equals(appId))
                    .filter(e -> !e.at().isBefore(since) && e.at().isBefore(until))
                    .sorted(Comparator.comparing(AuditEvent::at))
                    .limit(limit)
                    .toList();
        }
    }
}
