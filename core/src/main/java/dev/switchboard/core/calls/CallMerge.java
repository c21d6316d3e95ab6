package dev.switchboard.core.calls;

import dev.switchboard.core.calls.DialpadCallState.Meaning;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BinaryOperator;

/**
 * Folds Dialpad call events into a {@link Call}, so that the result does not depend on the order in which the
 * events arrive (Dialpad delivers out of order and retries; DIALPAD.md, "Delivery").
 *
 * <p>Every field is combined with an operation that is commutative, associative and idempotent, so any
 * permutation of a set of events, with or without repeats, gives the same call:
 * <ul>
 * <li>{@code startedAt}: the earliest of each event's {@code date_started}, else {@code date_rang}, else
 *     {@code event_timestamp}.</li>
 * <li>{@code answeredAt}: the earliest {@code date_connected}; an event of a connected-like state without one
 *     counts with its {@code event_timestamp}.</li>
 * <li>{@code endedAt}: the latest {@code date_ended}; a hangup, postcall, missed or blocked event without one
 *     counts with its {@code event_timestamp}.</li>
 * <li>{@code durationMillis} and {@code lastEventAt}: the largest seen.</li>
 * <li>{@code statesSeen}: the union of the states.</li>
 * <li>Descriptive values (direction, numbers, call ids, recording and voicemail URLs): a present value beats an
 *     absent one; when two events disagree, the smallest (enum order, or string order) is kept. Dialpad sends the
 *     same values on every event of one call, so this only matters for a call whose data changed.</li>
 * <li>{@code transcription}: the longest seen (string order between equally long ones).</li>
 * <li>{@code target} and {@code contact}: the party with the smallest id (a party with an id beats one without);
 *     parties with the same id are merged part by part as above.</li>
 * </ul>
 *
 * <p>The status is then <em>derived</em> from those facts, never stored as the last event's state:
 * <ol>
 * <li>{@code voicemail} if a voicemail state was seen or a voicemail URL is known; else</li>
 * <li>{@code missed} if a missed state was seen; else</li>
 * <li>{@code rejected} if a blocked state was seen; else</li>
 * <li>if the call ended (a hangup/postcall state, or an end time): {@code ended} when it was answered,
 *     {@code missed} when it was never answered and is inbound, {@code ended} otherwise (outbound or unknown
 *     direction: the callee did not pick up, which is not a missed call of the user); else</li>
 * <li>{@code active} if it was answered; else</li>
 * <li>{@code ringing}.</li>
 * </ol>
 * Hence terminal statuses beat active, which beats ringing, and among terminal statuses voicemail beats missed,
 * which beats rejected, which beats ended. A status can only move up this order as events are added.
 *
 * <p>The call is order-independent; the {@link CallChange changes} reported by each step compare the call before
 * and after it, and are chosen so that any order of applying a call's events reports each of
 * {@link CallChange#RANG}, {@link CallChange#ANSWERED} and {@link CallChange#ENDED} at most once, and RANG exactly
 * once for a call that is first known while live (before or with its ANSWERED).
 *
 * <p>Pure and stateless: thread-safe. Concurrency between stores is the store's business (it locks the row).
 */
public final class CallMerge {
    private static final Comparator<Optional<String>> ID_FIRST = (a, b) -> {
        if (a.isPresent() && b.isPresent()) {
            return a.get().compareTo(b.get());
        }
        return a.isPresent() ? -1 : b.isPresent() ? 1 : 0;
    };

    private CallMerge() {
    }

    /**
     * The call made of its first event: what {@link #apply} would give from nothing. Every change that the event
     * implies is reported: {@link CallChange#RANG} when the call is live (ringing or active), so a first
     * {@code connected} reports RANG and ANSWERED together; a call first known as over reports no RANG.
     */
    public static CallUpdate first(UUID id, UUID appId, CallEvent event) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(event, "event");
        Call call = fold(id, appId, event.dialpadCallId(), null, event);
        return new CallUpdate(call, changes(null, call));
    }

    /**
     * Folds {@code event} into {@code existing} (which must be the same call) and reports what changed. Applying an
     * event already folded in returns an equal call and no change.
     *
     * @throws IllegalArgumentException when the event is of another Dialpad call
     */
    public static CallUpdate apply(Call existing, CallEvent event) {
        Objects.requireNonNull(existing, "existing");
        Objects.requireNonNull(event, "event");
        if (!existing.dialpadCallId().equals(event.dialpadCallId())) {
            throw new IllegalArgumentException("the event is of another call");
        }
        Call call = fold(existing.id(), existing.appId(), existing.dialpadCallId(), existing, event);
        return new CallUpdate(call, changes(existing, call));
    }

    /** {@link #first} when {@code existingOrNull} is null, else {@link #apply}. */
    public static CallUpdate apply(Call existingOrNull, UUID newId, UUID appId, CallEvent event) {
        return existingOrNull == null ? first(newId, appId, event) : apply(existingOrNull, event);
    }

    private static Call fold(UUID id, UUID appId, String dialpadCallId, Call old, CallEvent e) {
        Meaning meaning = e.state().meaning();
        Optional<Instant> start = e.dateStarted().or(e::dateRang).or(e::eventTimestamp);
        Optional<Instant> connected = e.dateConnected()
                .or(() -> meaning == Meaning.CONNECTED ? e.eventTimestamp() : Optional.empty());
        boolean endingState = meaning == Meaning.ENDED || meaning == Meaning.MISSED || meaning == Meaning.REJECTED;
        Optional<Instant> ended = e.dateEnded()
                .or(() -> endingState ? e.eventTimestamp() : Optional.empty());
        Optional<String> recording = e.recordingUrls().isEmpty() ? Optional.empty()
                : Optional.of(e.recordingUrls().get(0));

        EnumSet<DialpadCallState> states = EnumSet.of(e.state());
        if (old != null) {
            states.addAll(old.statesSeen());
        }
        Optional<CallDirection> direction = old == null ? e.direction()
                : join(old.direction(), e.direction(), BinaryOperator.minBy(Comparator.naturalOrder()));
        Optional<Instant> startedAt = old == null ? start : join(old.startedAt(), start, CallMerge::earliest);
        Optional<Instant> answeredAt = old == null ? connected
                : join(old.answeredAt(), connected, CallMerge::earliest);
        Optional<Instant> endedAt = old == null ? ended : join(old.endedAt(), ended, CallMerge::latest);
        Optional<Long> duration = old == null ? e.duration() : join(old.durationMillis(), e.duration(), Math::max);
        Optional<Instant> lastEventAt = old == null ? e.eventTimestamp()
                : join(old.lastEventAt(), e.eventTimestamp(), CallMerge::latest);
        Optional<String> voicemailUrl = old == null ? e.voicemailUrl() : smallest(old.voicemailUrl(), e.voicemailUrl());

        CallStatus status = status(states, direction, answeredAt, endedAt, voicemailUrl);
        return new Call(id, appId, dialpadCallId, status, direction,
                old == null ? e.externalNumber() : smallest(old.externalNumber(), e.externalNumber()),
                old == null ? e.internalNumber() : smallest(old.internalNumber(), e.internalNumber()),
                old == null ? e.target() : join(old.target(), e.target(), CallMerge::party),
                old == null ? e.contact() : join(old.contact(), e.contact(), CallMerge::party),
                old == null ? e.masterCallId() : smallest(old.masterCallId(), e.masterCallId()),
                old == null ? e.entryPointCallId() : smallest(old.entryPointCallId(), e.entryPointCallId()),
                startedAt, answeredAt, endedAt, duration,
                old == null ? recording : smallest(old.recordingUrl(), recording),
                voicemailUrl,
                old == null ? e.transcriptionText() : join(old.transcription(), e.transcriptionText(),
                        CallMerge::longest),
                lastEventAt, states);
    }

    /** The status implied by the facts; the rules are in the class comment. */
    static CallStatus status(Set<DialpadCallState> states, Optional<CallDirection> direction,
                             Optional<Instant> answeredAt, Optional<Instant> endedAt, Optional<String> voicemailUrl) {
        EnumSet<Meaning> meanings = EnumSet.noneOf(Meaning.class);
        states.forEach(s -> meanings.add(s.meaning()));
        if (meanings.contains(Meaning.VOICEMAIL) || voicemailUrl.isPresent()) {
            return CallStatus.VOICEMAIL;
        }
        if (meanings.contains(Meaning.MISSED)) {
            return CallStatus.MISSED;
        }
        if (meanings.contains(Meaning.REJECTED)) {
            return CallStatus.REJECTED;
        }
        boolean answered = meanings.contains(Meaning.CONNECTED) || answeredAt.isPresent();
        if (meanings.contains(Meaning.ENDED) || endedAt.isPresent()) {
            if (answered) {
                return CallStatus.ENDED;
            }
            return direction.filter(d -> d == CallDirection.INBOUND).isPresent() ? CallStatus.MISSED : CallStatus.ENDED;
        }
        return answered ? CallStatus.ACTIVE : CallStatus.RINGING;
    }

    private static Set<CallChange> changes(Call before, Call after) {
        EnumSet<CallChange> changes = EnumSet.noneOf(CallChange.class);
        if (after.equals(before)) {
            return changes;
        }
        changes.add(CallChange.UPDATED);
        if (before == null || before.status() != after.status()) {
            changes.add(CallChange.STATUS_CHANGED);
        }
        // Decided when the call becomes known, not by the state that happens to arrive first: events of one call
        // may be applied in any order (two workers, two instances), and a ringing applied after a connected must
        // neither lose the ring nor ring twice.
        if (before == null && !after.status().isTerminal()) {
            changes.add(CallChange.RANG);
        }
        if (after.answered() && (before == null || !before.answered())) {
            changes.add(CallChange.ANSWERED);
        }
        if (after.status().isTerminal() && (before == null || !before.status().isTerminal())) {
            changes.add(CallChange.ENDED);
        }
        if (after.recordingUrl().isPresent() && (before == null || before.recordingUrl().isEmpty())) {
            changes.add(CallChange.RECORDING_ADDED);
        }
        if (after.voicemailUrl().isPresent() && (before == null || before.voicemailUrl().isEmpty())) {
            changes.add(CallChange.VOICEMAIL_ADDED);
        }
        return changes;
    }

    private static <T> Optional<T> join(Optional<T> a, Optional<T> b, BinaryOperator<T> both) {
        if (a.isPresent() && b.isPresent()) {
            return Optional.of(both.apply(a.get(), b.get()));
        }
        return a.isPresent() ? a : b;
    }

    private static Optional<String> smallest(Optional<String> a, Optional<String> b) {
        return join(a, b, (x, y) -> x.compareTo(y) <= 0 ? x : y);
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant latest(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static String longest(String a, String b) {
        if (a.length() != b.length()) {
            return a.length() > b.length() ? a : b;
        }
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static CallParty party(CallParty a, CallParty b) {
        int byId = ID_FIRST.compare(a.id(), b.id());
        if (byId != 0) {
            return byId < 0 ? a : b;
        }
        return new CallParty(a.id(), smallest(a.type(), b.type()), smallest(a.name(), b.name()),
                smallest(a.phone(), b.phone()));
    }
}
