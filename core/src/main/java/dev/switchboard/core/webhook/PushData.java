package dev.switchboard.core.webhook;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallDirection;
import dev.switchboard.core.calls.CallParty;
import dev.switchboard.core.messages.Message;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code data} of push events: a call or a message as a JSON-ready map (snake_case keys, ISO-8601 times, null
 * for what is unknown), the same fields the data API shows. Stateless.
 */
final class PushData {
    private PushData() {
    }

    static Map<String, Object> call(Call call) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", call.id().toString());
        data.put("dialpad_call_id", call.dialpadCallId());
        data.put("status", call.status().jsonName());
        data.put("direction", call.direction().map(CallDirection::jsonName).orElse(null));
        data.put("external_number", call.externalNumber().orElse(null));
        data.put("internal_number", call.internalNumber().orElse(null));
        data.put("dialpad_user_id", call.dialpadUserId().orElse(null));
        data.put("target_name", call.target().flatMap(CallParty::name).orElse(null));
        data.put("contact_name", call.contact().flatMap(CallParty::name).orElse(null));
        data.put("master_call_id", call.masterCallId().orElse(null));
        data.put("entry_point_call_id", call.entryPointCallId().orElse(null));
        data.put("started_at", time(call.startedAt()));
        data.put("answered_at", time(call.answeredAt()));
        data.put("ended_at", time(call.endedAt()));
        data.put("duration_ms", call.durationMillis().orElse(null));
        data.put("duration_seconds", call.durationMillis().map(ms -> ms / 1000).orElse(null));
        data.put("recording_url", call.recordingUrl().orElse(null));
        data.put("voicemail_url", call.voicemailUrl().orElse(null));
        data.put("transcription", call.transcription().orElse(null));
        return data;
    }

    static Map<String, Object> message(Message message) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", message.id().toString());
        data.put("dialpad_message_id", message.dialpadMessageId());
        data.put("direction", message.direction().jsonName());
        data.put("from_number", message.fromNumber().orElse(null));
        data.put("to_numbers", message.toNumbers());
        data.put("text", message.text().orElse(null));
        data.put("dialpad_user_id", message.dialpadUserId().orElse(null));
        data.put("created_at", message.createdAt().toString());
        return data;
    }

    private static String time(Optional<Instant> instant) {
        return instant.map(Instant::toString).orElse(null);
    }
}
