package dev.switchboard.core.calls;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallEventTest {
    @Test
    void parseWhenFullDialpadPayloadThenEveryFieldRead() {
        Map<String, Object> payload = new HashMap<>();
        payload.put("call_id", 6543210987654321L);
        payload.put("master_call_id", "111");
        payload.put("entry_point_call_id", 222L);
        payload.put("state", "Connected");
        payload.put("direction", "inbound");
        payload.put("external_number", "+15551234567");
        payload.put("internal_number", "+15557654321");
        payload.put("target", Map.of("id", 99L, "type", "user", "name", "Ann", "phone", "+15557654321"));
        payload.put("contact", Map.of("id", "c1", "name", "Bob"));
        payload.put("date_started", 1_700_000_000_000L);
        payload.put("date_connected", new BigDecimal("1700000005000.7"));
        payload.put("event_timestamp", 1.7000000051E12);
        payload.put("duration", 1234.5);
        payload.put("recording_details", List.of(Map.of("recording_url", "https://r/2"), Map.of("url", "https://r/1")));
        payload.put("call_recording_share_links", List.of("https://r/1"));

        CallEvent event = ((CallEvent.Parse.Parsed) CallEvent.parse(payload)).event();

        assertThat(event.dialpadCallId()).isEqualTo("6543210987654321");
        assertThat(event.masterCallId()).contains("111");
        assertThat(event.entryPointCallId()).contains("222");
        assertThat(event.state()).isEqualTo(DialpadCallState.CONNECTED);
        assertThat(event.direction()).contains(CallDirection.INBOUND);
        assertThat(event.target().flatMap(CallParty::id)).contains("99");
        assertThat(event.contact().flatMap(CallParty::name)).contains("Bob");
        assertThat(event.dateStarted()).contains(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(event.dateConnected()).contains(Instant.ofEpochMilli(1_700_000_005_000L));
        assertThat(event.eventTimestamp()).contains(Instant.ofEpochMilli(1_700_000_005_100L));
        assertThat(event.duration()).contains(1234L);
        assertThat(event.recordingUrls()).containsExactly("https://r/1", "https://r/2");
    }

    @Test
    void parseWhenUnknownStateThenOtherAndNameKept() {
        CallEvent event = ((CallEvent.Parse.Parsed) CallEvent.parse(Map.of("call_id", "5", "state", "recap_new")))
                .event();

        assertThat(event.state()).isEqualTo(DialpadCallState.OTHER);
        assertThat(event.stateName()).isEqualTo("recap_new");
    }

    @Test
    void parseWhenCallIdMissingThenInvalid() {
        assertThat(CallEvent.parse(Map.of("state", "ringing")))
                .isEqualTo(new CallEvent.Parse.Invalid("not a call event: call_id is missing"));
    }

    @Test
    void parseWhenStateMissingThenInvalid() {
        assertThat(CallEvent.parse(Map.of("call_id", 1L))).isInstanceOf(CallEvent.Parse.Invalid.class);
    }

    @Test
    void parseWhenTimeIsNotATimeThenInvalidNamingTheField() {
        CallEvent.Parse parse = CallEvent.parse(Map.of("call_id", 1L, "state", "ringing", "date_started", true));

        assertThat(parse).isInstanceOf(CallEvent.Parse.Invalid.class);
        assertThat(((CallEvent.Parse.Invalid) parse).problem()).contains("date_started");
    }

    @Test
    void parseWhenCallIdIsFractionalThenInvalid() {
        assertThat(CallEvent.parse(Map.of("call_id", 1.5, "state", "ringing")))
                .isInstanceOf(CallEvent.Parse.Invalid.class);
    }

    @Test
    void parseWhenTargetIsNotAnObjectThenInvalid() {
        assertThat(CallEvent.parse(Map.of("call_id", 1L, "state", "ringing", "target", "x")))
                .isInstanceOf(CallEvent.Parse.Invalid.class);
    }

    @Test
    void fromWireWhenEveryDocumentedStateThenKnown() {
        for (String state : List.of("calling", "ringing", "preanswer", "queued", "connected", "hold", "merged",
                "parked", "transcription", "call_transcription", "recording", "admin_recording", "voicemail",
                "voicemail_uploaded", "missed", "hangup", "postcall", "dispositions", "csat", "pcsat", "blocked",
                "barge", "monitor", "takeover", "admin", "ai_playbook", "recap_summary", "recap_outcome",
                "recap_purposes", "recap_action_items")) {
            assertThat(DialpadCallState.fromWire(state)).as(state).isNotEqualTo(DialpadCallState.OTHER);
        }
    }

    @Test
    void callStatusWhenJsonNamesThenLowercase() {
        assertThat(CallStatus.VOICEMAIL.jsonName()).isEqualTo("voicemail");
        assertThat(CallStatus.fromJson("active")).contains(CallStatus.ACTIVE);
        assertThat(CallStatus.fromJson("ACTIVE")).isEmpty();
    }
}
