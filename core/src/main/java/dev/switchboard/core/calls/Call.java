package dev.switchboard.core.calls;

import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * One Dialpad call of one app, as Switchboard knows it after folding every event received so far with
 * {@link CallMerge}. Immutable; {@code (appId, dialpadCallId)} is unique, and {@code id} is Switchboard's own id.
 *
 * @param status         derived from the other facts; see {@link CallMerge} for the rules
 * @param target         the Dialpad user (or office, group) the call is for; its id is the Dialpad user id
 * @param startedAt      the earliest start seen ({@code date_started}, else {@code date_rang}, else the event time)
 * @param answeredAt     the earliest connection seen ({@code date_connected}, else a connected-like event's time)
 * @param endedAt        the latest end seen ({@code date_ended}, else the time of a hangup/missed/blocked event)
 * @param durationMillis the largest {@code duration} seen, in milliseconds
 * @param lastEventAt    the latest {@code event_timestamp} seen
 * @param statesSeen     every Dialpad state received for this call
 */
public record Call(
        UUID id,
        UUID appId,
        String dialpadCallId,
        CallStatus status,
        Optional<CallDirection> direction,
        Optional<String> externalNumber,
        Optional<String> internalNumber,
        Optional<CallParty> target,
        Optional<CallParty> contact,
        Optional<String> masterCallId,
        Optional<String> entryPointCallId,
        Optional<Instant> startedAt,
        Optional<Instant> answeredAt,
        Optional<Instant> endedAt,
        Optional<Long> durationMillis,
        Optional<String> recordingUrl,
        Optional<String> voicemailUrl,
        Optional<String> transcription,
        Optional<Instant> lastEventAt,
        Set<DialpadCallState> statesSeen) {

    public Call {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(dialpadCallId, "dialpadCallId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(externalNumber, "externalNumber");
        Objects.requireNonNull(internalNumber, "internalNumber");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(contact, "contact");
        Objects.requireNonNull(masterCallId, "masterCallId");
        Objects.requireNonNull(entryPointCallId, "entryPointCallId");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(answeredAt, "answeredAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(durationMillis, "durationMillis");
        Objects.requireNonNull(recordingUrl, "recordingUrl");
        Objects.requireNonNull(voicemailUrl, "voicemailUrl");
        Objects.requireNonNull(transcription, "transcription");
        Objects.requireNonNull(lastEventAt, "lastEventAt");
        Objects.requireNonNull(statesSeen, "statesSeen");
        if (dialpadCallId.isBlank()) {
            throw new IllegalArgumentException("dialpadCallId must not be blank");
        }
        statesSeen = statesSeen.isEmpty()
                ? Collections.unmodifiableSet(EnumSet.noneOf(DialpadCallState.class))
                : Collections.unmodifiableSet(EnumSet.copyOf(statesSeen));
    }

    /** The Dialpad user id the call is for: the id of {@link #target()}, when Dialpad sent one. */
    public Optional<String> dialpadUserId() {
        return target.flatMap(CallParty::id);
    }

    /** True once the call was answered: a connection time is known or a connected-like state was seen. */
    public boolean answered() {
        return answeredAt.isPresent()
                || statesSeen.stream().anyMatch(s -> s.meaning() == DialpadCallState.Meaning.CONNECTED);
    }

    /** {@link #statesSeen()} as the bit mask stored in the database (see {@link DialpadCallState#bit()}). */
    public long statesSeenMask() {
        return DialpadCallState.toMask(statesSeen);
    }
}
