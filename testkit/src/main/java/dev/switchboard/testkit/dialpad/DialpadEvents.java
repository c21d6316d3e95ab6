package dev.switchboard.testkit.dialpad;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builders of realistic Dialpad event payloads (DIALPAD.md: CallProto fields, ms-epoch dates, no event id), so tests
 * do not hand-write JSON. Defaults describe an inbound call to one user; every field can be overridden, and
 * {@link CallEventBuilder#put(String, Object)} adds or replaces anything else.
 *
 * <p>Builders are not thread-safe; the {@link DialpadEvent}s they build are immutable.
 */
public final class DialpadEvents {
    /** The user a default event targets. */
    public static final long DEFAULT_TARGET_ID = 5_100_000_000_000_001L;
    /** The office of the default target. */
    public static final long DEFAULT_OFFICE_ID = 5_200_000_000_000_001L;
    /** The default external (customer) number. */
    public static final String DEFAULT_EXTERNAL_NUMBER = "+14155550100";
    /** The default internal (Dialpad) number. */
    public static final String DEFAULT_INTERNAL_NUMBER = "+14155550199";

    private DialpadEvents() {
    }

    /** A call event for call {@code callId} in Dialpad call state {@code state} (e.g. ringing, connected, hangup). */
    public static CallEventBuilder call(long callId, String state) {
        return new CallEventBuilder(callId, state);
    }

    /** An SMS event for message {@code messageId}. */
    public static SmsEventBuilder sms(long messageId) {
        return new SmsEventBuilder(messageId);
    }

    private static Map<String, Object> targetJson(long id, String type, String name, String phone) {
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("id", id);
        target.put("type", type);
        target.put("name", name);
        target.put("phone", phone);
        target.put("office_id", DEFAULT_OFFICE_ID);
        return target;
    }

    private static Map<String, Object> defaultTarget() {
        return targetJson(DEFAULT_TARGET_ID, "user", "Sam Agent", DEFAULT_INTERNAL_NUMBER);
    }

    private static Map<String, Object> contactJson(String id, String name, String phone) {
        Map<String, Object> contact = new LinkedHashMap<>();
        contact.put("id", id);
        contact.put("name", name);
        contact.put("phone", phone);
        contact.put("type", "local");
        return contact;
    }

    /**
     * Builds one call event. The call's dates follow a plausible timeline from {@link #startedAt(Instant)}: it rings
     * after 1 s, is answered after 6 s and ends after 66 s; which dates are present depends on the state (a
     * {@code ringing} event has no {@code date_connected}, a {@code hangup} has all four, a {@code missed} call was
     * never connected). {@code event_timestamp} is the moment of the state unless set.
     */
    public static final class CallEventBuilder {
        private static final Set<String> BEFORE_RING = Set.of("calling");
        private static final Set<String> RINGING = Set.of("ringing", "preanswer", "queued", "blocked");
        private static final Set<String> NEVER_CONNECTED = Set.of("missed", "voicemail", "voicemail_uploaded");
        private static final Set<String> LIVE = Set.of("connected", "hold", "merged", "parked", "recording",
                "transcription", "barge", "monitor", "takeover", "admin", "ai_playbook");

        private final long callId;
        private String state;
        private String direction = "inbound";
        private String externalNumber = DEFAULT_EXTERNAL_NUMBER;
        private String internalNumber = DEFAULT_INTERNAL_NUMBER;
        private Map<String, Object> target = defaultTarget();
        private Map<String, Object> contact = contactJson("contact-1", "Alex Caller", DEFAULT_EXTERNAL_NUMBER);
        private Long entryPointCallId;
        private Long masterCallId;
        private Instant startedAt = Instant.parse("2025-01-15T10:00:00Z");
        private Instant rangAt;
        private Instant connectedAt;
        private Instant endedAt;
        private Instant eventTimestamp;
        private Duration duration;
        private boolean wasRecorded;
        private String voicemailShareLink;
        private final List<Object> recordingDetails = new ArrayList<>();
        private final Map<String, Object> extra = new LinkedHashMap<>();

        private CallEventBuilder(long callId, String state) {
            this.callId = callId;
            this.state = Objects.requireNonNull(state, "state");
        }

        /** The call state. */
        public CallEventBuilder state(String value) {
            this.state = Objects.requireNonNull(value, "state");
            return this;
        }

        /** {@code inbound} (default) or {@code outbound}. */
        public CallEventBuilder direction(String value) {
            this.direction = value;
            return this;
        }

        /** The customer's number. */
        public CallEventBuilder externalNumber(String value) {
            this.externalNumber = value;
            contact.put("phone", value);
            return this;
        }

        /** The Dialpad number. */
        public CallEventBuilder internalNumber(String value) {
            this.internalNumber = value;
            return this;
        }

        /** The target (user, department, call centre...) the call is for. */
        public CallEventBuilder target(long id, String type, String name) {
            this.target = targetJson(id, type, name, internalNumber);
            return this;
        }

        /** The Dialpad contact of the external party. */
        public CallEventBuilder contact(String id, String name, String phone) {
            this.contact = contactJson(id, name, phone);
            return this;
        }

        /** The call record this one belongs to (defaults to the call itself). */
        public CallEventBuilder entryPointCallId(long value) {
            this.entryPointCallId = value;
            return this;
        }

        /** The master call of a transfer or merge. */
        public CallEventBuilder masterCallId(long value) {
            this.masterCallId = value;
            return this;
        }

        /** When the call started; the other dates follow from it unless set. */
        public CallEventBuilder startedAt(Instant value) {
            this.startedAt = Objects.requireNonNull(value, "startedAt");
            return this;
        }

        /** When it rang. */
        public CallEventBuilder rangAt(Instant value) {
            this.rangAt = value;
            return this;
        }

        /** When it was answered. */
        public CallEventBuilder connectedAt(Instant value) {
            this.connectedAt = value;
            return this;
        }

        /** When it ended. */
        public CallEventBuilder endedAt(Instant value) {
            this.endedAt = value;
            return this;
        }

        /** The event's own timestamp (part of the deduplication key). */
        public CallEventBuilder eventTimestamp(Instant value) {
            this.eventTimestamp = value;
            return this;
        }

        /** The talk time; defaults to connected-to-ended for calls that ended. */
        public CallEventBuilder duration(Duration value) {
            this.duration = value;
            return this;
        }

        /** Marks the call as recorded with one recording at {@code url}. */
        public CallEventBuilder recording(String url) {
            this.wasRecorded = true;
            Map<String, Object> recording = new LinkedHashMap<>();
            recording.put("id", "rec-" + callId);
            recording.put("url", url);
            recording.put("recording_type", "callrecording");
            recording.put("start_time", start().plusSeconds(6).toEpochMilli());
            recording.put("duration", 60_000);
            recordingDetails.add(recording);
            return this;
        }

        /** A voicemail link (for {@code voicemail} and {@code voicemail_uploaded} events). */
        public CallEventBuilder voicemailShareLink(String value) {
            this.voicemailShareLink = value;
            return this;
        }

        /** Adds or replaces any payload field. */
        public CallEventBuilder put(String field, Object value) {
            extra.put(Objects.requireNonNull(field, "field"), value);
            return this;
        }

        /** The event. */
        public DialpadEvent build() {
            Instant rang = rangAt != null ? rangAt : BEFORE_RING.contains(state) ? null : start().plusSeconds(1);
            boolean connected = !BEFORE_RING.contains(state) && !RINGING.contains(state)
                    && !NEVER_CONNECTED.contains(state);
            Instant connectedMoment = connectedAt != null ? connectedAt : connected ? start().plusSeconds(6) : null;
            boolean ended = !BEFORE_RING.contains(state) && !RINGING.contains(state) && !LIVE.contains(state);
            Instant endedMoment = endedAt != null ? endedAt
                    : ended ? (connectedMoment != null ? start().plusSeconds(66) : start().plusSeconds(21)) : null;
            Instant stamp = eventTimestamp != null ? eventTimestamp
                    : endedMoment != null ? endedMoment
                    : connectedMoment != null ? connectedMoment
                    : rang != null ? rang : start();
            Duration talk = duration != null ? duration
                    : endedMoment != null && connectedMoment != null ? Duration.between(connectedMoment, endedMoment)
                    : null;

            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("call_id", callId);
            payload.put("master_call_id", masterCallId);
            payload.put("entry_point_call_id", entryPointCallId != null ? entryPointCallId : callId);
            payload.put("operator_call_id", null);
            payload.put("state", state);
            payload.put("direction", direction);
            payload.put("external_number", externalNumber);
            payload.put("internal_number", internalNumber);
            payload.put("contact", new LinkedHashMap<>(contact));
            payload.put("target", new LinkedHashMap<>(target));
            payload.put("entry_point_target", new LinkedHashMap<>(target));
            payload.put("proxy_target", Map.of());
            payload.put("date_started", start().toEpochMilli());
            payload.put("date_rang", millis(rang));
            payload.put("date_connected", millis(connectedMoment));
            payload.put("date_ended", millis(endedMoment));
            payload.put("event_timestamp", stamp.toEpochMilli());
            payload.put("duration", talk == null ? null : (double) talk.toMillis());
            payload.put("total_duration", endedMoment == null ? null
                    : (double) Duration.between(start(), endedMoment).toMillis());
            payload.put("was_recorded", wasRecorded);
            payload.put("recording_details", List.copyOf(recordingDetails));
            payload.put("call_recording_share_links", List.of());
            payload.put("voicemail_share_link", voicemailShareLink);
            payload.put("transcription_text", null);
            payload.put("is_transferred", false);
            payload.put("labels", List.of());
            payload.put("custom_data", null);
            payload.putAll(extra);
            return new DialpadEvent(DialpadEvent.Kind.CALL, payload);
        }

        private Instant start() {
            return startedAt;
        }

        private static Long millis(Instant instant) {
            return instant == null ? null : instant.toEpochMilli();
        }
    }

    /** Builds one SMS event: by default an inbound text from the external number to the default user. */
    public static final class SmsEventBuilder {
        private final long messageId;
        private String direction = "inbound";
        private String fromNumber = DEFAULT_EXTERNAL_NUMBER;
        private List<String> toNumbers = List.of(DEFAULT_INTERNAL_NUMBER);
        private String text = "Hello from a customer";
        private Instant createdAt = Instant.parse("2025-01-15T10:00:00Z");
        private Instant eventTimestamp;
        private String status = "pending";
        private Map<String, Object> target = defaultTarget();
        private final Map<String, Object> extra = new LinkedHashMap<>();

        private SmsEventBuilder(long messageId) {
            this.messageId = messageId;
        }

        /** {@code inbound} (default) or {@code outbound}. */
        public SmsEventBuilder direction(String value) {
            this.direction = value;
            return this;
        }

        /** The sender's number. */
        public SmsEventBuilder from(String value) {
            this.fromNumber = value;
            return this;
        }

        /** The recipients' numbers. */
        public SmsEventBuilder to(List<String> value) {
            this.toNumbers = List.copyOf(value);
            return this;
        }

        /** The text (present only with the {@code message_content_export} scope at Dialpad). */
        public SmsEventBuilder text(String value) {
            this.text = value;
            return this;
        }

        /** When the message was created. */
        public SmsEventBuilder createdAt(Instant value) {
            this.createdAt = Objects.requireNonNull(value, "createdAt");
            return this;
        }

        /** The event's own timestamp; defaults to the creation time. */
        public SmsEventBuilder eventTimestamp(Instant value) {
            this.eventTimestamp = value;
            return this;
        }

        /** {@code message_status}: pending (default), delivered, failed... */
        public SmsEventBuilder status(String value) {
            this.status = value;
            return this;
        }

        /** The Dialpad target of the message. */
        public SmsEventBuilder target(long id, String type, String name) {
            this.target = targetJson(id, type, name, DEFAULT_INTERNAL_NUMBER);
            return this;
        }

        /** Adds or replaces any payload field. */
        public SmsEventBuilder put(String field, Object value) {
            extra.put(Objects.requireNonNull(field, "field"), value);
            return this;
        }

        /** The event. */
        public DialpadEvent build() {
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("id", messageId);
            payload.put("created_date", createdAt.toEpochMilli());
            payload.put("event_timestamp", (eventTimestamp != null ? eventTimestamp : createdAt).toEpochMilli());
            payload.put("direction", direction);
            payload.put("from_number", fromNumber);
            payload.put("to_number", toNumbers);
            payload.put("target", new LinkedHashMap<>(target));
            payload.put("contact", contactJson("contact-1", "Alex Caller", fromNumber));
            payload.put("sender_id", "inbound".equals(direction) ? null : target.get("id"));
            payload.put("mms", false);
            payload.put("mms_url", null);
            payload.put("is_internal", false);
            payload.put("message_status", status);
            payload.put("message_delivery_result", null);
            payload.put("text", text);
            payload.put("text_content", text);
            payload.putAll(extra);
            return new DialpadEvent(DialpadEvent.Kind.SMS, payload);
        }
    }
}
