package dev.switchboard.core.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmsEventTest {
    @Test
    void parseWhenToNumberIsAListThenAllRecipients() {
        SmsEvent event = ((SmsEvent.Parse.Parsed) SmsEvent.parse(Map.of("id", 123L, "direction", "inbound",
                "from_number", "+1555", "to_number", List.of("+1666", "+1777"), "text", "hello",
                "target", Map.of("id", 9L), "created_date", 1_700_000_000_000L))).event();

        assertThat(event.dialpadMessageId()).isEqualTo("123");
        assertThat(event.direction()).isEqualTo(MessageDirection.INBOUND);
        assertThat(event.toNumbers()).containsExactly("+1666", "+1777");
        assertThat(event.text()).contains("hello");
        assertThat(event.dialpadUserId()).contains("9");
        assertThat(event.createdAt()).contains(Instant.ofEpochMilli(1_700_000_000_000L));
    }

    @Test
    void parseWhenToNumberIsAStringAndTextContentThenRead() {
        SmsEvent event = ((SmsEvent.Parse.Parsed) SmsEvent.parse(Map.of("id", "m-1", "direction", "OUTBOUND",
                "to_number", "+1666", "text_content", "hi", "event_timestamp", 1_700_000_000_001L))).event();

        assertThat(event.toNumbers()).containsExactly("+1666");
        assertThat(event.text()).contains("hi");
        assertThat(event.direction()).isEqualTo(MessageDirection.OUTBOUND);
        assertThat(event.createdAt()).contains(Instant.ofEpochMilli(1_700_000_000_001L));
    }

    @Test
    void parseWhenIdMissingThenInvalid() {
        assertThat(SmsEvent.parse(Map.of("direction", "inbound"))).isInstanceOf(SmsEvent.Parse.Invalid.class);
    }

    @Test
    void parseWhenDirectionUnknownThenInvalid() {
        assertThat(SmsEvent.parse(Map.of("id", 1L, "direction", "sideways")))
                .isInstanceOf(SmsEvent.Parse.Invalid.class);
    }
}
