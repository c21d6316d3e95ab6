package dev.switchboard.core.webhook;

import dev.switchboard.core.Backoff;
import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.calls.CallMerge;
import dev.switchboard.core.messages.SmsEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns stored webhook events into calls, voicemails and messages, and pushes what changed to the app's sockets: the
 * decision part of event processing, synchronous, on the calling thread. {@link EventProcessor} claims batches and
 * runs this on its workers; an embedder with its own scheduling calls {@link #apply} with the events it claimed:
 *
 * <pre>{@code
 * EventBatchApplier applier = EventBatchApplier.create(events, processing, router, clock,
 *         EventBatchApplier.Retries.defaults());
 * applier.apply(events.claim(500, clock.instant(), Duration.ofSeconds(60), "my-instance"));
 * }</pre>
 *
 * <p>A batch is applied in <em>one</em> transaction of the {@link ProcessingStore}, with a number of statements that
 * does not grow with the batch:
 * <ul>
 *   <li>call events ({@link CallEvent#parse}) are grouped by call; the batch's calls are locked and read at once,
 *       each call's events are folded into it with {@link CallMerge} one by one <em>in the order they were
 *       received</em>, and each call is written once. Each step's changes are pushed: {@code RANG} as
 *       {@code call.ring}, {@code ANSWERED} as {@code call.started}, {@code ENDED} as {@code call.ended},
 *       {@code RECORDING_ADDED} as {@code call.recording}, {@code VOICEMAIL_ADDED} as {@code voicemail.received},
 *       with the call after that step as {@code data};</li>
 *   <li>SMS events ({@link SmsEvent#parse}) are inserted together; {@code message.received} only for the messages
 *       that are new;</li>
 *   <li>every push carries {@code target_crm_user} when its Dialpad user is mapped (one look-up for the batch); the
 *       pushes are published and the events marked processed in the same transaction, so a push exists if and only
 *       if its change was committed;</li>
 *   <li>unknown kind: marked processed and ignored (logged);</li>
 *   <li>unrouted: routed again by organisation before the batch, only to the apps whose connection existed when the
 *       event was received ({@link OrganisationRouter#appsConnectedBy}); when there are some, one copy per app is
 *       stored (and processed like any event) and the unrouted one is marked processed. When the organisation's
 *       apps all connected after the event arrived, it is marked processed without a copy: it was sent before
 *       they were connected and is none of theirs. Otherwise (no app connected) it fails as unrouted and is
 *       retried with the backoff below. Either way an unrouted event is deleted once
 *       {@link UnroutedEventExpiry#RETENTION} old.</li>
 * </ul>
 * Reprocessing an event changes nothing and pushes nothing: the merge reports no change for what a call already
 * holds, and a message already stored is a duplicate. Every push has an id derived from its event and type, so a
 * receiver can drop a repeat.
 *
 * <p>An event that fails (unparseable payload, an exception) is marked failed with its error and becomes due again
 * after the delays of {@link Retries}. It never blocks the events behind it: when a batch's transaction fails, its
 * events are applied again one per transaction, so only the event that fails on its own is marked failed.
 * Thread-safe: batches of different events may be applied at once.
 */
public final class EventBatchApplier {
    private static final Logger LOG = LoggerFactory.getLogger(EventBatchApplier.class);
    /** Single events of a failed batch failing one after another before the rest is left for later. */
    private static final int MAX_FAILURES_IN_A_ROW = 3;

    private final WebhookEventStore events;
    private final EventPreparer preparer;
    private final EventBatchWrite write;
    private final Clock clock;
    private final Retries retries;

    private EventBatchApplier(WebhookEventStore events, ProcessingStore processing, OrganisationRouter router,
                              Clock clock, Retries retries) {
        this.events = events;
        this.preparer = new EventPreparer(events, router);
        this.write = new EventBatchWrite(processing, clock);
        this.clock = clock;
        this.retries = retries;
    }

    /**
     * An applier that stores rerouted copies and marks failures in {@code events} and applies the batches in
     * {@code processing}.
     */
    public static EventBatchApplier create(WebhookEventStore events, ProcessingStore processing,
                                           OrganisationRouter router, Clock clock, Retries retries) {
        return new EventBatchApplier(Objects.requireNonNull(events, "events"),
                Objects.requireNonNull(processing, "processing"), Objects.requireNonNull(router, "router"),
                Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(retries, "retries"));
    }

    /**
     * Applies {@code claimed}, events this caller holds leased, in the order they were received; returns how many
     * of them failed (marked failed, or left to their lease when the store could not be reached to mark them).
     */
    public int apply(List<WebhookEvent> claimed) {
        List<PreparedEvent.Work> work = new ArrayList<>(claimed.size());
        List<PreparedEvent.Failed> failed = new ArrayList<>();
        // received order: the order in which each call's events are folded, and pushed
        List<WebhookEvent> inOrder = new ArrayList<>(claimed);
        inOrder.sort(Comparator.comparing(WebhookEvent::receivedAt));
        for (WebhookEvent event : inOrder) {
            PreparedEvent prepared = preparer.prepare(event);
            if (prepared instanceof PreparedEvent.Failed failure) {
                failed.add(failure);
            } else if (prepared instanceof PreparedEvent.Work ready) {
                work.add(ready);
            } else {
                throw new IllegalStateException("unknown prepared event " + prepared.getClass().getSimpleName());
            }
        }
        failed.addAll(applyIsolatingFailures(work));
        for (PreparedEvent.Failed failure : failed) {
            if (!markFailed(failure)) {
                break;
            }
        }
        return failed.size();
    }

    /** The delay before attempt {@code failedAttempts + 1} after {@code failedAttempts} failed ones (1-based). */
    public Duration retryDelay(int failedAttempts) {
        return retries.delay(failedAttempts);
    }

    /**
     * Applies the batch in one transaction; when that fails, applies its events one per transaction (in received
     * order), so an event that fails on its own (a poison event) is found and the others go through. Returns the
     * events that failed. After {@link #MAX_FAILURES_IN_A_ROW} single events failed in a row the store itself is
     * the likely cause (down, or refusing everything): the events not tried yet are left to their lease, to be
     * claimed again, rather than each waiting for the store to fail again.
     */
    private List<PreparedEvent.Failed> applyIsolatingFailures(List<PreparedEvent.Work> work) {
        if (work.isEmpty()) {
            return List.of();
        }
        try {
            write.apply(work);
            return List.of();
        } catch (RuntimeException e) {
            if (work.size() == 1) {
                return List.of(new PreparedEvent.Failed(work.get(0).event(), EventPreparer.describe(e)));
            }
            LOG.warn("a batch of {} webhook events failed as a whole ({}); applying them one by one", work.size(),
                    EventPreparer.describe(e));
        }
        List<PreparedEvent.Failed> failed = new ArrayList<>();
        int inARow = 0;
        for (int i = 0; i < work.size(); i++) {
            PreparedEvent.Work one = work.get(i);
            try {
                write.apply(List.of(one));
                inARow = 0;
            } catch (RuntimeException e) {
                failed.add(new PreparedEvent.Failed(one.event(), EventPreparer.describe(e)));
                if (++inARow == MAX_FAILURES_IN_A_ROW && i + 1 < work.size()) {
                    LOG.warn("{} webhook events failed in a row; the {} left are claimed again when their lease ends",
                            inARow, work.size() - i - 1);
                    break;
                }
            }
        }
        return failed;
    }

    /** Marks the event failed with its backoff; false when the store could not be reached to do so. */
    private boolean markFailed(PreparedEvent.Failed failure) {
        WebhookEvent event = failure.event();
        Instant next = clock.instant().plus(retries.delay(event.attempts() + 1));
        LOG.warn("webhook event {} ({}) failed, attempt {}: {}", event.id(), event.kind().jsonName(),
                event.attempts() + 1, failure.error());
        try {
            events.markFailed(event.id(), failure.error(), next);
            return true;
        } catch (RuntimeException e) {
            // the lease runs out and the event is claimed again, as are the others not marked yet
            LOG.warn("could not mark webhook event {} failed: {}", event.id(), e.getMessage());
            return false;
        }
    }

    /**
     * When a failed event is tried again.
     *
     * @param backoff     the delays while attempts remain
     * @param maxAttempts attempts after which a failing event is parked
     * @param parkedFor   delay between attempts of a parked event
     */
    public record Retries(Backoff backoff, int maxAttempts, Duration parkedFor) {
        public Retries {
            Objects.requireNonNull(backoff, "backoff");
            Objects.requireNonNull(parkedFor, "parkedFor");
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be positive");
            }
            if (parkedFor.isNegative() || parkedFor.isZero()) {
                throw new IllegalArgumentException("durations must be positive");
            }
        }

        /** Retries after 1 s, 2 s, 4 s... up to 10 minutes, parked (one attempt a day) after 12 attempts. */
        public static Retries defaults() {
            return new Retries(Backoff.of(Duration.ofSeconds(1), Duration.ofMinutes(10)), 12, Duration.ofDays(1));
        }

        /** The delay before attempt {@code failedAttempts + 1} after {@code failedAttempts} failed ones (1-based). */
        public Duration delay(int failedAttempts) {
            return failedAttempts >= maxAttempts ? parkedFor : backoff.delay(failedAttempts);
        }
    }
}
