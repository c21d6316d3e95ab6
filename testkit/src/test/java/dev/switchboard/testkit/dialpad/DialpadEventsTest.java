package dev.switchboard.testkit.dialpad;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DialpadEventsTest {
    private static final Instant START = Instant.parse("2025-03-01T09:00:00Z");

    @Test
    void callWhenRingingThenStartedAndRangButNotConnectedOrEnded() {
        Map<String, Object> payload = DialpadEvents.call(1L, "ringing").startedAt(START).build().payload();

        assertThat(payload).containsEntry("date_started", START.toEpochMilli())
                .containsEntry("date_rang", START.plusSeconds(1).toEpochMilli())
                .containsEntry("date_connected", null).containsEntry("date_ended", null)
                .containsEntry("event_timestamp", START.plusSeconds(1).toEpochMilli())
                .containsEntry("entry_point_call_id", 1L);
    }

    @Test
    void callWhenHangupThenEveryDateAndTheDurationArePresent() {
        Map<String, Object> payload = DialpadEvents.call(2L, "hangup").startedAt(START).build().payload();

        assertThat(payload).containsEntry("date_connected", START.plusSeconds(6).toEpochMilli())
                .containsEntry("date_ended", START.plusSeconds(66).toEpochMilli())
                .containsEntry("duration", 60_000.0)
                .containsEntry("event_timestamp", START.plusSeconds(66).toEpochMilli());
    }

    @Test
    void callWhenMissedThenEndedWithoutEverConnecting() {
        Map<String, Object> payload = DialpadEvents.call(3L, "missed").startedAt(START).build().payload();

        assertThat(payload).containsEntry("date_connected", null).containsEntry("duration", null);
        assertThat(payload.get("date_ended")).isNotNull();
    }

    @Test
    void smsWhenBuiltThenCarriesNumbersTextAndKind() {
        DialpadEvent event = DialpadEvents.sms(7L).text("hi").from("+15550001").build();

        assertThat(event.kind()).isEqualTo(DialpadEvent.Kind.SMS);
        assertThat(event.json()).contains("\"text\":\"hi\"").contains("\"from_number\":\"+15550001\"");
    }
}
