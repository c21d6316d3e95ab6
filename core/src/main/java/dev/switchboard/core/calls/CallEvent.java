package dev.switchboard.core.calls;

import dev.switchboard.core.json.Payloads;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One Dialpad call event (DIALPAD.md, "Call event payload"), reduced to what Switchboard keeps. Built with
 * {@link #parse(Map)} from the already-parsed JSON payload; immutable.
 *
 * @param dialpadCallId    {@code call_id} (a number in Dialpad's payload) as a string
 * @param state            {@code state}; an unknown state is {@link DialpadCallState#OTHER}
 * @param stateName        {@code state} as sent, lowercased (so an unknown state is still visible)
 * @param recordingUrls    every recording URL the event names ({@code recording_details[].url} or
 *                         {@code .recording_url}, {@code call_recording_share_links[]}), sorted, without duplicates
 * @param duration         {@code duration} in milliseconds
 */
public record CallEvent(
        String dialpadCallId,
        Optional<String> masterCallId,
        Optional<String> entryPointCallId,
        DialpadCallState state,
        String stateName,
        Optional<CallDirection> direction,
        Optional<String> externalNumber,
        Optional<String> internalNumber,
        Optional<CallParty> target,
        Optional<CallParty> contact,
        Optional<Instant> dateStarted,
        Optional<Instant> dateRang,
        Optional<Instant> dateConnected,
        Optional<Instant> dateEnded,
        Optional<Instant> eventTimestamp,
        Optional<Long> duration,
        List<String> recordingUrls,
        Optional<String> voicemailUrl,
        Optional<String> transcriptionText) {

    public CallEvent {
        Objects.requireNonNull(dialpadCallId, "dialpadCallId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(stateName, "stateName");
        Objects.requireNonNull(masterCallId, "masterCallId");
        Objects.requireNonNull(entryPointCallId, "entryPointCallId");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(externalNumber, "externalNumber");
        Objects.requireNonNull(internalNumber, "internalNumber");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(contact, "contact");
        Objects.requireNonNull(dateStarted, "dateStarted");
        Objects.requireNonNull(dateRang, "dateRang");
        Objects.requireNonNull(dateConnected, "dateConnected");
        Objects.requireNonNull(dateEnded, "dateEnded");
        Objects.requireNonNull(eventTimestamp, "eventTimestamp");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(voicemailUrl, "voicemailUrl");
        Objects.requireNonNull(transcriptionText, "transcriptionText");
        if (dialpadCallId.isBlank()) {
            throw new IllegalArgumentException("dialpadCallId must not be blank");
        }
        recordingUrls = List.copyOf(new TreeSet<>(recordingUrls));
    }

    /** Result of reading a payload as a call event: the event, or why the payload is not one. */
    public sealed interface Parse {
        /** The payload is a call event. */
        record Parsed(CallEvent event) implements Parse {
            public Parsed {
                Objects.requireNonNull(event, "event");
            }
        }

        /** The payload is not a usable call event; {@code problem} is one sentence, safe to log and to return. */
        record Invalid(String problem) implements Parse {
            public Invalid {
                Objects.requireNonNull(problem, "problem");
            }
        }
    }

    /**
     * Reads a Dialpad call event. Requires {@code call_id} (number or string) and {@code state} (string); every
     * other field is optional, but one of the wrong type makes the payload {@link Parse.Invalid}. A
     * {@code direction} other than inbound/outbound is read as absent. Never throws for bad input; thread-safe.
     */
    public static Parse parse(Map<String, Object> payload) {
        Objects.requireNonNull(payload, "payload");
        try {
            Optional<String> callId = Payloads.id(payload, "call_id");
            if (callId.isEmpty()) {
                return new Parse.Invalid("not a call event: call_id is missing");
            }
            Object rawState = payload.get("state");
            if (!(rawState instanceof String stateText) || stateText.isBlank()) {
                return new Parse.Invalid("not a call event: state is missing or not a string");
            }
            String stateName = stateText.strip().toLowerCase(java.util.Locale.ROOT);
            if (stateName.length() > 64) {
                return new Parse.Invalid("state is longer than 64 characters");
            }
            return new Parse.Parsed(new CallEvent(
                    callId.get(),
                    Payloads.id(payload, "master_call_id"),
                    Payloads.id(payload, "entry_point_call_id"),
                    DialpadCallState.fromWire(stateName),
                    stateName,
                    Payloads.text(payload, "direction").flatMap(CallDirection::fromJson),
                    Payloads.text(payload, "external_number"),
                    Payloads.text(payload, "internal_number"),
                    party(payload, "target"),
                    party(payload, "contact"),
                    Payloads.epochMillis(payload, "date_started"),
                    Payloads.epochMillis(payload, "date_rang"),
                    Payloads.epochMillis(payload, "date_connected"),
                    Payloads.epochMillis(payload, "date_ended"),
                    Payloads.epochMillis(payload, "event_timestamp"),
                    Payloads.nonNegativeMillis(payload, "duration"),
                    recordingUrls(payload),
                    Payloads.text(payload, "voicemail_share_link"),
                    Payloads.text(payload, "transcription_text")));
        } catch (Payloads.FieldException e) {
            return new Parse.Invalid(e.getMessage());
        }
    }

    private static Optional<CallParty> party(Map<String, Object> payload, String field) {
        Optional<Map<String, Object>> object = Payloads.object(payload, field);
        if (object.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Object> map = object.get();
        return CallParty.of(
                Payloads.id(map, "id").orElse(null),
                Payloads.text(map, "type").orElse(null),
                Payloads.text(map, "name").orElse(null),
                Payloads.text(map, "phone").orElse(null));
    }

    private static List<String> recordingUrls(Map<String, Object> payload) {
        TreeSet<String> urls = new TreeSet<>();
        for (Object detail : Payloads.list(payload, "recording_details")) {
            if (detail instanceof Map<?, ?> map) {
                @SuppressWarnings("unchecked")
                Map<String, Object> fields = (Map<String, Object>) map;
                Payloads.text(fields, "url").ifPresent(urls::add);
                Payloads.text(fields, "recording_url").ifPresent(urls::add);
            } else if (detail != null) {
                throw new Payloads.FieldException("recording_details must be a list of objects");
            }
        }
        for (Object link : Payloads.list(payload, "call_recording_share_links")) {
            // Unconfirmed whether Dialpad sends plain URLs or objects here: accept both.
            if (link instanceof String url && !url.isBlank()) {
                urls.add(url);
            } else if (link instanceof Map<?, ?> map) {
                @SuppressWarnings("unchecked")
                Map<String, Object> fields = (Map<String, Object>) map;
                Payloads.text(fields, "url").ifPresent(urls::add);
                Payloads.text(fields, "access_link").ifPresent(urls::add);
            } else if (link != null) {
                throw new Payloads.FieldException("call_recording_share_links must be a list of URLs");
            }
        }
        return List.copyOf(urls);
    }
}
