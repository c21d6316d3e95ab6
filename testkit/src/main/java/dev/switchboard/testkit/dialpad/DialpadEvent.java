package dev.switchboard.testkit.dialpad;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One event payload as Dialpad would send it to a webhook: a call event (CallProto) or an SMS event. Built by
 * {@link DialpadEvents}; the payload keeps its field order so {@link #json()} is stable.
 */
public record DialpadEvent(Kind kind, Map<String, Object> payload) {
    /** Which subscription type delivers the event. */
    public enum Kind { CALL, SMS }

    private static final ObjectMapper JSON = new ObjectMapper();

    public DialpadEvent {
        Objects.requireNonNull(kind, "kind");
        payload = Collections.unmodifiableMap(new LinkedHashMap<>(payload));
    }

    /** The payload as compact JSON text, the JWT payload of a signed delivery. */
    public String json() {
        try {
            return JSON.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("event payload is not serialisable", e);
        }
    }

    /** {@link #json()} as UTF-8 bytes, the body of an unsigned delivery. */
    public byte[] jsonBytes() {
        return json().getBytes(StandardCharsets.UTF_8);
    }

    /** The call state ({@code state}) of a call event, or null for SMS. */
    public String state() {
        Object state = payload.get("state");
        return state == null ? null : state.toString();
    }
}
