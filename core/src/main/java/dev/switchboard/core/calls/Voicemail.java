package dev.switchboard.core.calls;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A voicemail left on a call of one app. Created by the call store in the transaction that first gives the call a
 * voicemail URL; its transcription and duration follow later events of the same call.
 *
 * @param callId         Switchboard's id of the call
 * @param fromNumber     who left it: the call's external number
 * @param durationMillis the call's duration, when known
 */
public record Voicemail(UUID id, UUID appId, UUID callId, String dialpadCallId, Optional<String> fromNumber,
                        Optional<String> recordingUrl, Optional<String> transcription, Optional<Long> durationMillis,
                        Instant createdAt) {
    public Voicemail {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(dialpadCallId, "dialpadCallId");
        Objects.requireNonNull(fromNumber, "fromNumber");
        Objects.requireNonNull(recordingUrl, "recordingUrl");
        Objects.requireNonNull(transcription, "transcription");
        Objects.requireNonNull(durationMillis, "durationMillis");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
