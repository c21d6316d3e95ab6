package dev.switchboard.core.messages;

import dev.switchboard.core.json.Payloads;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One Dialpad SMS event, reduced to what Switchboard keeps. Built with {@link #parse(Map)}; immutable.
 *
 * @param dialpadMessageId {@code id} (number or string) as a string
 * @param toNumbers        {@code to_number}, a list or a single string (unconfirmed which: both are accepted)
 * @param text             {@code text}, else {@code text_content}
 * @param dialpadUserId    {@code target.id}
 * @param createdAt        {@code created_date}, else {@code event_timestamp}, when the payload carries either
 */
public record SmsEvent(String dialpadMessageId, MessageDirection direction, Optional<String> fromNumber,
                       List<String> toNumbers, Optional<String> text, Optional<String> dialpadUserId,
                       Optional<Instant> createdAt) {
    public SmsEvent {
        Objects.requireNonNull(dialpadMessageId, "dialpadMessageId");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(fromNumber, "fromNumber");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(dialpadUserId, "dialpadUserId");
        Objects.requireNonNull(createdAt, "createdAt");
        toNumbers = List.copyOf(toNumbers);
        if (dialpadMessageId.isBlank()) {
            throw new IllegalArgumentException("dialpadMessageId must not be blank");
        }
    }

    /** Result of reading a payload as an SMS event. */
    public sealed interface Parse {
        /** The payload is an SMS event. */
        record Parsed(SmsEvent event) implements Parse {
            public Parsed {
                Objects.requireNonNull(event, "event");
            }
        }

        /** The payload is not a usable SMS event; {@code problem} is one sentence, safe to log and to return. */
        record Invalid(String problem) implements Parse {
            public Invalid {
                Objects.requireNonNull(problem, "problem");
            }
        }
    }

    /**
     * Reads a Dialpad SMS event: {@code id} and {@code direction} (inbound/outbound, any case) are required, the
     * rest optional; a field of the wrong type makes the payload invalid. Never throws for bad input; thread-safe.
     */
    public static Parse parse(Map<String, Object> payload) {
        Objects.requireNonNull(payload, "payload");
        try {
            Optional<String> id = Payloads.id(payload, "id");
            if (id.isEmpty()) {
                return new Parse.Invalid("not an SMS event: id is missing");
            }
            Optional<MessageDirection> direction = Payloads.text(payload, "direction")
                    .flatMap(MessageDirection::fromJson);
            if (direction.isEmpty()) {
                return new Parse.Invalid("not an SMS event: direction must be inbound or outbound");
            }
            List<String> to = new ArrayList<>();
            for (Object number : Payloads.list(payload, "to_number")) {
                if (number instanceof String s) {
                    if (!s.isBlank()) {
                        to.add(s.strip());
                    }
                } else if (number != null) {
                    throw new Payloads.FieldException("to_number must be a string or a list of strings");
                }
            }
            Optional<String> userId = Payloads.object(payload, "target").flatMap(t -> Payloads.id(t, "id"));
            return new Parse.Parsed(new SmsEvent(id.get(), direction.get(),
                    Payloads.text(payload, "from_number").map(String::strip),
                    to,
                    Payloads.text(payload, "text").or(() -> Payloads.text(payload, "text_content")),
                    userId,
                    Payloads.epochMillis(payload, "created_date")
                            .or(() -> Payloads.epochMillis(payload, "event_timestamp"))));
        } catch (Payloads.FieldException e) {
            return new Parse.Invalid(e.getMessage());
        }
    }
}
