package dev.switchboard.core.webhook;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallChange;
import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.calls.CallKey;
import dev.switchboard.core.calls.CallMerge;
import dev.switchboard.core.calls.CallUpdate;
import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.json.JsonException;
import dev.switchboard.core.messages.Message;
import dev.switchboard.core.messages.NewMessage;
import dev.switchboard.core.messages.SmsEvent;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.core.users.DialpadUser;
import dev.switchboard.core.users.UserMappingRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns stored webhook events into calls, voicemails and messages, and pushes what changed to the app's sockets.
 *
 * <p>Workers claim batches of due events with a lease ({@link WebhookEventStore#claim}), so any number of instances
 * process side by side without doing an event twice while its lease lasts. A claimed batch is applied in <em>one</em>
 * transaction of the {@link ProcessingStore}, with a number of statements that does not grow with the batch:
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
 * after {@link Settings#firstRetry()} doubled per attempt up to {@link Settings#maxRetry()}; after
 * {@link Settings#maxAttempts()} attempts it waits {@link Settings#parkedFor()} between attempts. It never blocks the
 * events behind it: when a batch's transaction fails, its events are applied again one per transaction, so only the
 * event that fails on its own is marked failed, and other events are claimed meanwhile.
 *
 * <p>As an {@link EventHandoff}, the processor also takes the events this instance's intake has just stored leased
 * to it ({@link BatchingWebhookEventStore#handOffTo}); a worker processes those first, in batches as above, without
 * claiming them. At most {@code workers × batchSize} wait so; beyond that, or while the processor is not running,
 * the intake stores unleased and the events are claimed. Handed events still waiting when the processor stops are
 * released ({@link WebhookEventStore#releaseLeases}), or, if that fails, claimed by any instance once their lease
 * ends.
 *
 * <p>Workers wait on the {@link EventSignal} between batches, at most {@link Settings#pollInterval()}, so an event
 * stored on this instance (or, through the signal, another one) is processed at once. A worker whose wait timed out
 * claims only when no worker of the instance has claimed for a poll interval, so an idle instance polls the store
 * once per interval whatever its number of workers. Thread-safe;
 * {@link #start()} and {@link #close()} once each.
 */
public final class EventProcessor implements EventHandoff, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventProcessor.class);
    private static final Duration MAX_IDLE_AFTER_ERROR = Duration.ofSeconds(5);

    /**
     * How the processor runs.
     *
     * @param owner        this instance's name on leases (unique per instance)
     * @param workers      worker threads
     * @param batchSize    most events one worker claims at once
     * @param lease        how long a claimed event is kept from other claimers
     * @param pollInterval longest wait between claims when no signal comes
     * @param firstRetry   delay after the first failure
     * @param maxRetry     longest delay between attempts while attempts remain
     * @param maxAttempts  attempts after which a failing event is parked
     * @param parkedFor    delay between attempts of a parked event
     */
    public record Settings(String owner, int workers, int batchSize, Duration lease, Duration pollInterval,
                           Duration firstRetry, Duration maxRetry, int maxAttempts, Duration parkedFor) {
        public Settings {
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(lease, "lease");
            Objects.requireNonNull(pollInterval, "pollInterval");
            Objects.requireNonNull(firstRetry, "firstRetry");
            Objects.requireNonNull(maxRetry, "maxRetry");
            Objects.requireNonNull(parkedFor, "parkedFor");
            if (owner.isBlank() || owner.length() > 200) {
                throw new IllegalArgumentException("the owner has 1 to 200 characters");
            }
            if (workers < 1 || workers > 64) {
                throw new IllegalArgumentException("workers must be between 1 and 64");
            }
            if (batchSize < 1 || batchSize > 1000) {
                throw new IllegalArgumentException("batchSize must be between 1 and 1000");
            }
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be positive");
            }
            for (Duration d : List.of(lease, pollInterval, firstRetry, maxRetry, parkedFor)) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("durations must be positive");
                }
            }
        }

        /**
         * The defaults for {@code owner} with {@code workers} threads: batches of 500 (each one transaction, so the
         * fixed cost of a claim and a commit is shared by many events), 60 s leases, a 200 ms poll,
         * retries after 1 s, 2 s, 4 s... up to 10 minutes, parked (one attempt a day) after 12 attempts.
         */
        public static Settings defaults(String owner, int workers) {
            return new Settings(owner, workers, 500, Duration.ofSeconds(60), Duration.ofMillis(200),
                    Duration.ofSeconds(1), Duration.ofMinutes(10), 12, Duration.ofDays(1));
        }
    }

    /** What a claimed event comes to before the batch is applied. */
    private sealed interface Prepared {
        /** Ready to apply in the batch's transaction. */
        sealed interface Work extends Prepared {
            WebhookEvent event();
        }

        /** A call event of {@code appId}. */
        record CallWork(WebhookEvent event, UUID appId, CallEvent call) implements Work {
            CallKey key() {
                return new CallKey(appId, call.dialpadCallId());
            }
        }

        /** An SMS event of {@code appId}. */
        record SmsWork(WebhookEvent event, UUID appId, SmsEvent sms) implements Work {
        }

        /** Nothing to store (unknown kind, or rerouted): only marked processed. */
        record Nothing(WebhookEvent event) implements Work {
        }

        /** The event cannot be processed now. */
        record Failed(WebhookEvent event, String error) implements Prepared {
        }
    }

    /** A push to publish once the batch's changes are known; its CRM user is looked up for the whole batch. */
    private record PendingPush(WebhookEvent event, UUID appId, PushEventType type, Optional<String> dialpadUserId,
                               Map<String, Object> data) {
    }

    /** A call's events folded into it: the call's net update (what to write) and the pushes of each step. */
    private record CallPlan(CallUpdate net, List<PendingPush> pushes) {
    }

    private record MessageKey(UUID appId, String dialpadMessageId) {
    }

    /** The push each change causes, in the order they are published (a ring before its start, before its end). */
    private static final Map<CallChange, PushEventType> CALL_PUSHES = Collections.unmodifiableMap(new EnumMap<>(
            Map.of(CallChange.RANG, PushEventType.CALL_RING,
                    CallChange.ANSWERED, PushEventType.CALL_STARTED,
                    CallChange.ENDED, PushEventType.CALL_ENDED,
                    CallChange.RECORDING_ADDED, PushEventType.CALL_RECORDING,
                    CallChange.VOICEMAIL_ADDED, PushEventType.VOICEMAIL_RECEIVED)));
    /** Single events of a failed batch failing one after another before the rest is left for later. */
    private static final int MAX_FAILURES_IN_A_ROW = 3;
    /** Rounds of saving calls that other transactions keep creating meanwhile before the batch gives up. */
    private static final int MAX_SAVE_ROUNDS = 3;

    private final WebhookEventStore events;
    private final ProcessingStore processing;
    private final OrganisationRouter router;
    private final EventSignal signal;
    private final Clock clock;
    private final Settings settings;
    private final List<Thread> threads = new ArrayList<>();
    /** Events stored leased to this processor and handed over by the intake, in the order handed. */
    private final ConcurrentLinkedQueue<WebhookEvent> handed = new ConcurrentLinkedQueue<>();
    /** When a worker last claimed from the store (System.nanoTime): idle workers poll once per interval between them. */
    private final AtomicLong lastClaim = new AtomicLong(System.nanoTime());
    /** How many handed events are waiting. */
    private final AtomicInteger handedCount = new AtomicInteger();
    private volatile boolean running;

    private EventProcessor(WebhookEventStore events, ProcessingStore processing, OrganisationRouter router,
                           EventSignal signal, Clock clock, Settings settings) {
        this.events = events;
        this.processing = processing;
        this.router = router;
        this.signal = signal;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * A processor, not started: it claims from {@code events} (and stores rerouted copies there) and applies the
     * batches in {@code processing}.
     */
    public static EventProcessor create(WebhookEventStore events, ProcessingStore processing,
                                        OrganisationRouter router, EventSignal signal, Clock clock,
                                        Settings settings) {
        return new EventProcessor(Objects.requireNonNull(events, "events"),
                Objects.requireNonNull(processing, "processing"), Objects.requireNonNull(router, "router"),
                Objects.requireNonNull(signal, "signal"), Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(settings, "settings"));
    }

    /** Starts the worker threads ({@code event-worker-N}, daemon). */
    public synchronized void start() {
        if (running || !threads.isEmpty()) {
            throw new IllegalStateException("the processor was already started");
        }
        running = true;
        for (int i = 0; i < settings.workers(); i++) {
            Thread worker = new Thread(this::work, "event-worker-" + (i + 1));
            worker.setDaemon(true);
            threads.add(worker);
            worker.start();
        }
        LOG.info("event processor {} started with {} workers", settings.owner(), settings.workers());
    }

    /**
     * Claims one batch of due events and processes it on the calling thread; returns how many events were claimed.
     * Used by the workers, and by tests to process deterministically. Throws
     * {@link dev.switchboard.core.StoreUnavailableException} when the events cannot be claimed.
     */
    public int processBatch() {
        List<WebhookEvent> claimed = takeHanded();
        if (claimed.isEmpty()) {
            lastClaim.set(System.nanoTime());
            claimed = events.claim(settings.batchSize(), clock.instant(), settings.lease(), settings.owner());
        }
        List<Prepared.Work> work = new ArrayList<>(claimed.size());
        List<Prepared.Failed> failed = new ArrayList<>();
        // received order: the order in which each call's events are folded, and pushed
        List<WebhookEvent> inOrder = new ArrayList<>(claimed);
        inOrder.sort(Comparator.comparing(WebhookEvent::receivedAt));
        for (WebhookEvent event : inOrder) {
            Prepared prepared = prepare(event);
            if (prepared instanceof Prepared.Failed failure) {
                failed.add(failure);
            } else {
                work.add((Prepared.Work) prepared);
            }
        }
        failed.addAll(applyIsolatingFailures(work));
        for (Prepared.Failed failure : failed) {
            if (!markFailed(failure)) {
                break;
            }
        }
        return claimed.size();
    }

    @Override
    public Optional<WebhookEventStore.Lease> reserve(int count) {
        if (count < 1 || !running) {
            return Optional.empty();
        }
        // a soft bound: writers reserving at once may each pass it by one batch
        if (handedCount.get() + count > settings.workers() * settings.batchSize()) {
            return Optional.empty();
        }
        return Optional.of(new WebhookEventStore.Lease(settings.owner(), clock.instant().plus(settings.lease())));
    }

    @Override
    public void accept(List<WebhookEvent> stored) {
        handedCount.addAndGet(stored.size());
        handed.addAll(stored);
    }

    /** True for the one caller that finds no claim made for a poll interval; it counts as the claim. */
    private boolean pollDue() {
        long last = lastClaim.get();
        long now = System.nanoTime();
        return now - last >= settings.pollInterval().toNanos() && lastClaim.compareAndSet(last, now);
    }

    /** Up to a batch of the handed events, oldest first; frees their room. */
    private List<WebhookEvent> takeHanded() {
        List<WebhookEvent> taken = new ArrayList<>();
        for (WebhookEvent event; taken.size() < settings.batchSize() && (event = handed.poll()) != null; ) {
            taken.add(event);
        }
        handedCount.addAndGet(-taken.size());
        return taken;
    }

    /** The delay before attempt {@code attempt + 1} after {@code attempt} failed ones (1-based). */
    Duration backoff(int failedAttempts) {
        if (failedAttempts >= settings.maxAttempts()) {
            return settings.parkedFor();
        }
        Duration delay = settings.firstRetry();
        for (int i = 1; i < failedAttempts && delay.compareTo(settings.maxRetry()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(settings.maxRetry()) > 0 ? settings.maxRetry() : delay;
    }

    private void work() {
        Duration idle = settings.pollInterval();
        boolean woken = true;
        while (running) {
            try {
                // a wait that timed out claims only when no worker of this instance has for a poll interval: the
                // instance polls once per interval, not once per worker
                int claimed = woken || pollDue() ? processBatch() : 0;
                idle = settings.pollInterval();
                woken = true;
                if (claimed < settings.batchSize() && handed.isEmpty()) {
                    woken = signal.awaitNext(settings.pollInterval());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warn("event processing paused: {}", e.getMessage());
                try {
                    Thread.sleep(idle.toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                idle = idle.multipliedBy(2).compareTo(MAX_IDLE_AFTER_ERROR) > 0 ? MAX_IDLE_AFTER_ERROR
                        : idle.multipliedBy(2);
            }
        }
    }

    /** Parses the event (or reroutes it) outside any transaction; a failure here concerns this event only. */
    private Prepared prepare(WebhookEvent event) {
        try {
            if (event.appId().isEmpty()) {
                return reroute(event);
            }
            UUID appId = event.appId().get();
            return switch (event.kind()) {
                case CALL -> callWork(event, appId);
                case SMS -> smsWork(event, appId);
                case UNKNOWN -> {
                    LOG.info("webhook event {} ignored: neither a call nor an SMS event", event.id());
                    yield new Prepared.Nothing(event);
                }
            };
        } catch (RuntimeException e) {
            return new Prepared.Failed(event, describe(e));
        }
    }

    private static Prepared callWork(WebhookEvent event, UUID appId) {
        CallEvent.Parse parse = CallEvent.parse(JsonCodec.parseObject(event.payload()));
        if (parse instanceof CallEvent.Parse.Invalid invalid) {
            return new Prepared.Failed(event, "invalid call event: " + invalid.problem());
        }
        return new Prepared.CallWork(event, appId, ((CallEvent.Parse.Parsed) parse).event());
    }

    private static Prepared smsWork(WebhookEvent event, UUID appId) {
        SmsEvent.Parse parse = SmsEvent.parse(JsonCodec.parseObject(event.payload()));
        if (parse instanceof SmsEvent.Parse.Invalid invalid) {
            return new Prepared.Failed(event, "invalid SMS event: " + invalid.problem());
        }
        return new Prepared.SmsWork(event, appId, ((SmsEvent.Parse.Parsed) parse).event());
    }

    private Prepared reroute(WebhookEvent event) {
        if (event.organisationId().isEmpty()) {
            return new Prepared.Failed(event, "unrouted: the event names no organisation");
        }
        String organisationId = event.organisationId().get();
        List<UUID> apps = router.appsConnectedBy(organisationId, event.receivedAt());
        if (apps.isEmpty()) {
            if (router.appsOf(organisationId).isEmpty()) {
                return new Prepared.Failed(event, "unrouted: no app is connected to its organisation");
            }
            LOG.info("unrouted webhook event {} not routed: its organisation's apps connected after it was received",
                    event.id());
            return new Prepared.Nothing(event);
        }
        byte[] raw = event.payload().getBytes(StandardCharsets.UTF_8);
        Map<String, Object> payload = JsonCodec.parseObject(raw);
        List<NewWebhookEvent> copies = apps.stream()
                .map(app -> NewWebhookEvent.of(Optional.of(app), event.organisationId(), payload, raw,
                        event.receivedAt()))
                .toList();
        events.storeAll(copies);
        LOG.info("unrouted webhook event {} routed to {} app(s)", event.id(), apps.size());
        return new Prepared.Nothing(event);
    }

    /**
     * Applies the batch in one transaction; when that fails, applies its events one per transaction (in received
     * order), so an event that fails on its own (a poison event) is found and the others go through. Returns the
     * events that failed. After {@link #MAX_FAILURES_IN_A_ROW} single events failed in a row the store itself is
     * the likely cause (down, or refusing everything): the events not tried yet are left to their lease, to be
     * claimed again, rather than each waiting for the store to fail again.
     */
    private List<Prepared.Failed> applyIsolatingFailures(List<Prepared.Work> work) {
        if (work.isEmpty()) {
            return List.of();
        }
        try {
            apply(work);
            return List.of();
        } catch (RuntimeException e) {
            if (work.size() == 1) {
                return List.of(new Prepared.Failed(work.get(0).event(), describe(e)));
            }
            LOG.warn("a batch of {} webhook events failed as a whole ({}); applying them one by one", work.size(),
                    describe(e));
        }
        List<Prepared.Failed> failed = new ArrayList<>();
        int inARow = 0;
        for (int i = 0; i < work.size(); i++) {
            Prepared.Work one = work.get(i);
            try {
                apply(List.of(one));
                inARow = 0;
            } catch (RuntimeException e) {
                failed.add(new Prepared.Failed(one.event(), describe(e)));
                if (++inARow == MAX_FAILURES_IN_A_ROW && i + 1 < work.size()) {
                    LOG.warn("{} webhook events failed in a row; the {} left are claimed again when their lease ends",
                            inARow, work.size() - i - 1);
                    break;
                }
            }
        }
        return failed;
    }

    private void apply(List<Prepared.Work> work) {
        Map<CallKey, List<Prepared.CallWork>> calls = new LinkedHashMap<>();
        List<Prepared.SmsWork> sms = new ArrayList<>();
        for (Prepared.Work one : work) {
            if (one instanceof Prepared.CallWork call) {
                calls.computeIfAbsent(call.key(), k -> new ArrayList<>()).add(call);
            } else if (one instanceof Prepared.SmsWork message) {
                sms.add(message);
            }
        }
        processing.inTransaction(tx -> {
            List<PendingPush> pushes = new ArrayList<>();
            if (!calls.isEmpty()) {
                pushes.addAll(applyCalls(tx, calls));
            }
            if (!sms.isEmpty()) {
                pushes.addAll(applyMessages(tx, sms));
            }
            if (!pushes.isEmpty()) {
                publish(tx, pushes);
            }
            tx.markProcessed(work.stream().map(w -> w.event().id()).toList());
        });
    }

    /** Locks and reads the batch's calls, folds each call's events into it in order, writes each call once. */
    private List<PendingPush> applyCalls(ProcessingStore.Transaction tx, Map<CallKey, List<Prepared.CallWork>> calls) {
        Map<CallKey, CallPlan> plans = new LinkedHashMap<>();
        Set<CallKey> toPlan = calls.keySet();
        Map<CallKey, Call> stored = tx.lockCalls(toPlan);
        for (int round = 1; !toPlan.isEmpty(); round++) {
            List<CallUpdate> writes = new ArrayList<>();
            for (CallKey key : toPlan) {
                CallPlan plan = plan(stored.get(key), calls.get(key));
                plans.put(key, plan);
                if (plan.net().has(CallChange.UPDATED)) {
                    writes.add(plan.net());
                }
            }
            // a call created by another transaction since it was read: read it again, locked, and fold again
            Set<CallKey> createdMeanwhile = writes.isEmpty() ? Set.of() : tx.saveCalls(writes);
            if (!createdMeanwhile.isEmpty() && round == MAX_SAVE_ROUNDS) {
                throw new IllegalStateException("calls of the batch kept being created concurrently");
            }
            toPlan = createdMeanwhile;
            stored = createdMeanwhile.isEmpty() ? Map.of() : tx.lockCalls(createdMeanwhile);
        }
        List<PendingPush> pushes = new ArrayList<>();
        plans.values().forEach(plan -> pushes.addAll(plan.pushes()));
        return pushes;
    }

    private static CallPlan plan(Call storedOrNull, List<Prepared.CallWork> events) {
        UUID newId = UUID.randomUUID();
        Call call = storedOrNull;
        EnumSet<CallChange> changes = EnumSet.noneOf(CallChange.class);
        List<PendingPush> pushes = new ArrayList<>();
        for (Prepared.CallWork one : events) {
            CallUpdate step = CallMerge.apply(call, newId, one.appId(), one.call());
            call = step.call();
            changes.addAll(step.changes());
            Map<String, Object> data = null;
            for (Map.Entry<CallChange, PushEventType> push : CALL_PUSHES.entrySet()) {
                if (step.has(push.getKey())) {
                    data = data == null ? PushData.call(call) : data;
                    pushes.add(new PendingPush(one.event(), one.appId(), push.getValue(), call.dialpadUserId(), data));
                }
            }
        }
        return new CallPlan(new CallUpdate(call, changes), pushes);
    }

    /** Inserts the batch's messages at once; a message new to its app is pushed, a repeat is not. */
    private static List<PendingPush> applyMessages(ProcessingStore.Transaction tx, List<Prepared.SmsWork> sms) {
        Map<MessageKey, Prepared.SmsWork> firsts = new LinkedHashMap<>();
        for (Prepared.SmsWork one : sms) {
            firsts.putIfAbsent(new MessageKey(one.appId(), one.sms().dialpadMessageId()), one);
        }
        Map<MessageKey, Message> inserted = new HashMap<>();
        for (Message message : tx.insertMessages(firsts.values().stream()
                .map(one -> new NewMessage(one.appId(), one.sms(), one.event().receivedAt())).toList())) {
            inserted.put(new MessageKey(message.appId(), message.dialpadMessageId()), message);
        }
        List<PendingPush> pushes = new ArrayList<>();
        firsts.forEach((key, one) -> {
            Message message = inserted.get(key);
            if (message != null) {
                pushes.add(new PendingPush(one.event(), one.appId(), PushEventType.MESSAGE_RECEIVED,
                        one.sms().dialpadUserId(), PushData.message(message)));
            }
        });
        return pushes;
    }

    private void publish(ProcessingStore.Transaction tx, List<PendingPush> pending) {
        Set<DialpadUser> users = new LinkedHashSet<>();
        for (PendingPush push : pending) {
            dialpadUser(push).ifPresent(users::add);
        }
        Map<DialpadUser, String> crmUsers = users.isEmpty() ? Map.of() : tx.crmUsers(users);
        Instant now = clock.instant();
        tx.publish(pending.stream()
                .map(push -> new PushEvent(pushId(push.event(), push.type()), push.appId(), push.type(), now,
                        dialpadUser(push).map(crmUsers::get), push.data()))
                .toList());
    }

    /** The mapping key of the push's Dialpad user; none for an id no mapping can have. */
    private static Optional<DialpadUser> dialpadUser(PendingPush push) {
        return push.dialpadUserId().filter(UserMappingRequest::isValidId)
                .map(id -> new DialpadUser(push.appId(), id));
    }

    /** One id per (stored event, type): a receiver that somehow sees the same push twice drops the repeat. */
    private static UUID pushId(WebhookEvent event, PushEventType type) {
        return UUID.nameUUIDFromBytes((event.id() + ":" + type.wireName()).getBytes(StandardCharsets.UTF_8));
    }

    /** Marks the event failed with its backoff; false when the store could not be reached to do so. */
    private boolean markFailed(Prepared.Failed failure) {
        WebhookEvent event = failure.event();
        Instant next = clock.instant().plus(backoff(event.attempts() + 1));
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

    /** The class names what went wrong; messages of our exceptions are safe, others are not shown. */
    private static String describe(RuntimeException e) {
        String message = e instanceof dev.switchboard.core.SwitchboardException || e instanceof JsonException
                || e instanceof IllegalArgumentException ? ": " + e.getMessage() : "";
        return e.getClass().getSimpleName() + message;
    }

    /** Stops the workers after their current batch (waiting up to 10 seconds each). Idempotent. */
    @Override
    public void close() {
        // no interrupt: it could cut a JDBC call midway; a worker notices within one poll interval
        running = false;
        for (Thread thread : threads) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        releaseHanded();
    }

    /** Gives the handed events nobody took back to every claimer now, rather than when their lease ends. */
    private void releaseHanded() {
        List<UUID> left = new ArrayList<>();
        for (WebhookEvent event; (event = handed.poll()) != null; ) {
            left.add(event.id());
        }
        handedCount.addAndGet(-left.size());
        if (left.isEmpty()) {
            return;
        }
        try {
            int released = events.releaseLeases(left, settings.owner());
            LOG.info("{} webhook event(s) handed to this instance and not processed were released", released);
        } catch (RuntimeException e) {
            LOG.warn("{} webhook event(s) handed to this instance are claimed when their lease ends: {}",
                    left.size(), e.getClass().getSimpleName());
        }
    }
}
