package dev.switchboard.core.webhook;

import dev.switchboard.core.json.Payloads;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What makes two deliveries "the same event", so a redelivery is stored once (unique per app in the store).
 *
 * <p>Dialpad events carry no event id, and one call produces many events, one per state (DIALPAD.md, "Webhooks").
 * A call event is therefore identified by {@code (call_id, state, event_timestamp)}: {@code call:<id>:<state>:<ms>}.
 * Keying on the call id alone, as the predecessor did, would drop every state after the first. Any other payload,
 * or a call event lacking one of the three, is identified by the SHA-256 of its raw bytes:
 * {@code sha256:<64 hex>}. A key is at most {@link #MAX_LENGTH} characters (longer call keys are hashed too).
 */
public record DeduplicationKey(String value) {
    /** Longest key. */
    public static final int MAX_LENGTH = 200;

    public DeduplicationKey {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a deduplication key has 1 to " + MAX_LENGTH + " characters");
        }
    }

    /**
     * The key of an event whose parsed payload is {@code payload} and raw bytes {@code raw} (the JSON payload: for
     * a JWT delivery, the decoded payload, not the compact token). Never throws for odd payloads; thread-safe.
     */
    public static DeduplicationKey of(Map<String, Object> payload, byte[] raw) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(raw, "raw");
        Optional<String> callKey = callKey(payload);
        if (callKey.isPresent() && callKey.get().length() <= MAX_LENGTH) {
            return new DeduplicationKey(callKey.get());
        }
        return new DeduplicationKey("sha256:" + sha256(callKey.map(k -> k.getBytes(StandardCharsets.UTF_8))
                .orElse(raw)));
    }

    private static Optional<String> callKey(Map<String, Object> payload) {
        try {
            Optional<String> callId = Payloads.id(payload, "call_id");
            Optional<Instant> at = Payloads.epochMillis(payload, "event_timestamp");
            if (callId.isEmpty() || at.isEmpty() || !(payload.get("state") instanceof String state)
                    || state.isBlank()) {
                return Optional.empty();
            }
            return Optional.of("call:" + callId.get() + ":" + state.strip().toLowerCase(Locale.ROOT) + ":"
                    + at.get().toEpochMilli());
        } catch (Payloads.FieldException e) {
            return Optional.empty();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
