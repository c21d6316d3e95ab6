package dev.switchboard.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Made-up but realistic Dialpad events for {@code simulate}: for each call {@code ringing}, {@code connected} and
 * {@code hangup}, then one call that rings and goes to {@code voicemail}, then one inbound SMS, with the field names
 * of Dialpad's call and SMS events (DIALPAD.md). Each is signed as Dialpad signs webhook deliveries: a compact JWS,
 * HS256 over the payload, keyed with the UTF-8 bytes of the webhook secret. The test kit has a fuller builder for
 * tests; the server cannot depend on the test kit, and this one needs only the happy path of a call.
 */
final class SimulatedEvents {
    /** The simulated agent's Dialpad user id and number, and the caller's number (a reserved 555 number). */
    static final long AGENT_ID = 5_100_000_000_000_001L;
    static final String AGENT_NUMBER = "+14155550199";
    static final String CALLER_NUMBER = "+14155550100";
    private static final String HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private SimulatedEvents() {
    }

    /** One event to post: what it is (for the operator's output) and the payload. */
    record Event(String description, Map<String, Object> payload) {
    }

    /** The events of {@code calls} answered calls, one voicemail and one SMS, in the order Dialpad would send them. */
    static List<Event> of(int calls, SecureRandom random, Instant now) {
        // the calls happened in the last minutes: every date is in the past, as in a real event
        Instant first = now.minusSeconds(60L + calls * 2L);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            long callId = callId(random);
            Instant started = first.plusSeconds(i * 2L);
            events.add(call(callId, "ringing", started, null, null, null));
            events.add(call(callId, "connected", started, started.plusSeconds(3), null, null));
            events.add(call(callId, "hangup", started, started.plusSeconds(3), started.plusSeconds(45), null));
        }
        long voicemail = callId(random);
        Instant started = first.plusSeconds(calls * 2L);
        events.add(call(voicemail, "ringing", started, null, null, null));
        events.add(call(voicemail, "voicemail", started, null, started.plusSeconds(30),
                "https://dialpad.com/shared/voicemail/simulated-" + voicemail));
        events.add(sms(callId(random), now));
        return events;
    }

    /** The compact JWS of {@code payload}, as Dialpad signs it with a webhook's {@code secret}. */
    static String sign(Map<String, Object> payload, String secret, ObjectMapper json) {
        try {
            String input = BASE64URL.encodeToString(HEADER.getBytes(StandardCharsets.UTF_8)) + "."
                    + BASE64URL.encodeToString(json.writeValueAsBytes(payload));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return input + "." + BASE64URL.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (JsonProcessingException | GeneralSecurityException e) {
            throw new IllegalStateException("a simulated event could not be signed", e);
        }
    }

    private static Event call(long callId, String state, Instant started, Instant connected, Instant ended,
                              String voicemailLink) {
        Instant at = ended != null ? ended : connected != null ? connected : started.plusSeconds(1);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("call_id", callId);
        payload.put("entry_point_call_id", callId);
        payload.put("master_call_id", null);
        payload.put("state", state);
        payload.put("direction", "inbound");
        payload.put("external_number", CALLER_NUMBER);
        payload.put("internal_number", AGENT_NUMBER);
        payload.put("contact", Map.of("id", "simulated-contact", "name", "Alex Caller", "phone", CALLER_NUMBER,
                "type", "local"));
        payload.put("target", agent());
        payload.put("date_started", started.toEpochMilli());
        payload.put("date_rang", started.plusSeconds(1).toEpochMilli());
        payload.put("date_connected", connected == null ? null : connected.toEpochMilli());
        payload.put("date_ended", ended == null ? null : ended.toEpochMilli());
        payload.put("event_timestamp", at.toEpochMilli());
        payload.put("duration", connected != null && ended != null
                ? (double) (ended.toEpochMilli() - connected.toEpochMilli()) : null);
        payload.put("was_recorded", false);
        payload.put("voicemail_share_link", voicemailLink);
        payload.put("is_transferred", false);
        return new Event("call " + callId + " " + state, payload);
    }

    private static Event sms(long messageId, Instant at) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("id", messageId);
        payload.put("created_date", at.toEpochMilli());
        payload.put("event_timestamp", at.toEpochMilli());
        payload.put("direction", "inbound");
        payload.put("from_number", CALLER_NUMBER);
        payload.put("to_number", List.of(AGENT_NUMBER));
        payload.put("target", agent());
        payload.put("contact", Map.of("id", "simulated-contact", "name", "Alex Caller", "phone", CALLER_NUMBER));
        payload.put("message_status", "pending");
        payload.put("mms", false);
        payload.put("is_internal", false);
        payload.put("text", "Hello from a simulated customer");
        payload.put("text_content", "Hello from a simulated customer");
        return new Event("sms " + messageId, payload);
    }

    private static Map<String, Object> agent() {
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("id", AGENT_ID);
        target.put("type", "user");
        target.put("name", "Sam Agent");
        target.put("phone", AGENT_NUMBER);
        return target;
    }

    /** A positive id in Dialpad's range of 16-digit ids, unlikely to meet a real one. */
    private static long callId(SecureRandom random) {
        return 9_000_000_000_000_000L + Math.floorMod(random.nextLong(), 999_999_999_999_999L);
    }
}
