package dev.switchboard.core.webhook;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallChange;
import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.calls.CallStore;
import dev.switchboard.core.calls.CallUpdate;
import dev.switchboard.core.json.Json;
import dev.switchboard.core.json.JsonException;
import dev.switchboard.core.messages.MessageInsert;
import dev.switchboard.core.messages.MessageStore;
import dev.switchboard.core.messages.SmsEvent;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.core.push.PushPublisher;
import dev.switchboard.core.users.UserMapping;
import dev.switchboard.core.users.UserMappingStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns stored webhook events into calls, voicemails and messages, and pushes what changed to the app's sockets.
 *
 * <p>Workers claim batches of due events with a lease ({@link WebhookEventStore#claim}), so any number of instances
 * process side by side without doing an event twice while its lease lasts. For each event:
 * <ul>
 *   <li>call: {@link CallEvent#parse} then {@link CallStore#apply}; each change is pushed: {@code RANG} as
 *       {@code call.ring}, {@code ANSWERED} as {@code call.started}, {@code ENDED} as {@code call.ended},
 *       {@code RECORDING_ADDED} as {@code call.recording}, {@code VOICEMAIL_ADDED} as {@code voicemail.received},
 *       with {@code target_crm_user} when the call's Dialpad user is mapped and the call as {@code data};</li>
 *   <li>SMS: {@link SmsEvent#parse} then {@link MessageStore#insert}; {@code message.received} only when the
 *       message is new;</li>
 *   <li>unknown kind: marked processed and ignored (logged);</li>
 *   <li>unrouted: routed again by organisation ({@link OrganisationRouter#appsOf}); when apps are connected now,
 *       one copy per app is stored (and processed like any event) and the unrouted one is marked processed;
 *       otherwise it fails as unrouted and is retried with the backoff below, kept, never dropped.</li>
 * </ul>
 * Reprocessing an event changes nothing and pushes nothing: the merge reports no change for what a call already
 * holds, and a message already stored is a duplicate. A push that fails is logged and does not fail the event (its
 * data is stored and can be listed).
 *
 * <p>An event that fails (unparseable payload, an exception) is marked failed with its error and becomes due again
 * after {@link Settings#firstRetry()} doubled per attempt up to {@link Settings#maxRetry()}; after
 * {@link Settings#maxAttempts()} attempts it waits {@link Settings#parkedFor()} between attempts. It never blocks the
 * events behind it: other events are claimed meanwhile.
 *
 * <p>Workers wait on the {@link EventSignal} between batches, at most {@link Settings#pollInterval()}, so an event
 * stored on this instance (or, through the signal, another one) is processed at once. Thread-safe;
 * {@link #start()} and {@link #close()} once each.
 */
public final class EventProcessor implements AutoCloseable {
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
         * The defaults for {@code owner} with {@code workers} threads: batches of 32, 60 s leases, a 200 ms poll,
         * retries after 1 s, 2 s, 4 s... up to 10 minutes, parked (one attempt a day) after 12 attempts.
         */
        public static Settings defaults(String owner, int workers) {
            return new Settings(owner, workers, 32, Duration.ofSeconds(60), Duration.ofMillis(200),
                    Duration.ofSeconds(1), Duration.ofMinutes(10), 12, Duration.ofDays(1));
        }
    }

    /** What processing one event came to. */
    private sealed interface Outcome {
        record Done() implements Outcome {
        }

        record Failed(String error) implements Outcome {
        }
    }

    private final WebhookEventStore events;
    private final CallStore calls;
    private final MessageStore messages;
    private final UserMappingStore users;
    private final PushPublisher push;
    private final OrganisationRouter router;
    private final EventSignal signal;
    private final Clock clock;
    private final Settings settings;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    private EventProcessor(WebhookEventStore events, CallStore calls, MessageStore messages, UserMappingStore users,
                           PushPublisher push, OrganisationRouter router, EventSignal signal, Clock clock,
                           Settings settings) {
        this.events = events;
        this.calls = calls;
        this.messages = messages;
        this.users = users;
        this.push = push;
        this.router = router;
        this.signal = signal;
        this.clock = clock;
        this.settings = settings;
    }

    /** A processor, not started. */
    public static EventProcessor create(WebhookEventStore events, CallStore calls, MessageStore messages,
                                        UserMappingStore users, PushPublisher push, OrganisationRouter router,
                                        EventSignal signal, Clock clock, Settings settings) {
        return new EventProcessor(Objects.requireNonNull(events, "events"), Objects.requireNonNull(calls, "calls"),
                Objects.requireNonNull(messages, "messages"), Objects.requireNonNull(users, "users"),
                Objects.requireNonNull(push, "push"), Objects.requireNonNull(router, "router"),
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
        Instant now = clock.instant();
        List<WebhookEvent> claimed = events.claim(settings.batchSize(), now, settings.lease(), settings.owner());
        List<UUID> done = new ArrayList<>(claimed.size());
        for (WebhookEvent event : claimed) {
            Outcome outcome = process(event);
            if (outcome instanceof Outcome.Failed failed) {
                Instant next = clock.instant().plus(backoff(event.attempts() + 1));
                LOG.warn("webhook event {} ({}) failed, attempt {}: {}", event.id(), event.kind().jsonName(),
                        event.attempts() + 1, failed.error());
                try {
                    events.markFailed(event.id(), failed.error(), next);
                } catch (RuntimeException e) {
                    // the lease runs out and the event is claimed again
                    LOG.warn("could not mark webhook event {} failed: {}", event.id(), e.getMessage());
                }
            } else {
                done.add(event.id());
            }
        }
        if (!done.isEmpty()) {
            events.markAllProcessed(done);
        }
        return claimed.size();
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
        while (running) {
            try {
                int claimed = processBatch();
                idle = settings.pollInterval();
                if (claimed < settings.batchSize()) {
                    signal.awaitNext(settings.pollInterval());
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

    private Outcome process(WebhookEvent event) {
        try {
            if (event.appId().isEmpty()) {
                return reroute(event);
            }
            UUID appId = event.appId().get();
            return switch (event.kind()) {
                case CALL -> processCall(event, appId);
                case SMS -> processSms(event, appId);
                case UNKNOWN -> {
                    LOG.info("webhook event {} ignored: neither a call nor an SMS event", event.id());
                    yield new Outcome.Done();
                }
            };
        } catch (RuntimeException e) {
            // the class names what went wrong; messages of our exceptions are safe, others are not shown
            String message = e instanceof dev.switchboard.core.SwitchboardException || e instanceof JsonException
                    || e instanceof IllegalArgumentException ? ": " + e.getMessage() : "";
            return new Outcome.Failed(e.getClass().getSimpleName() + message);
        }
    }

    private Outcome processCall(WebhookEvent event, UUID appId) {
        Map<String, Object> payload = Json.parseObject(event.payload());
        CallEvent.Parse parse = CallEvent.parse(payload);
        if (parse instanceof CallEvent.Parse.Invalid invalid) {
            return new Outcome.Failed("invalid call event: " + invalid.problem());
        }
        CallUpdate update = calls.apply(appId, ((CallEvent.Parse.Parsed) parse).event());
        List<PushEventType> types = new ArrayList<>();
        if (update.has(CallChange.RANG)) {
            types.add(PushEventType.CALL_RING);
        }
        if (update.has(CallChange.ANSWERED)) {
            types.add(PushEventType.CALL_STARTED);
        }
        if (update.has(CallChange.ENDED)) {
            types.add(PushEventType.CALL_ENDED);
        }
        if (update.has(CallChange.RECORDING_ADDED)) {
            types.add(PushEventType.CALL_RECORDING);
        }
        if (update.has(CallChange.VOICEMAIL_ADDED)) {
            types.add(PushEventType.VOICEMAIL_RECEIVED);
        }
        if (!types.isEmpty()) {
            Call call = update.call();
            Optional<String> crmUser = crmUser(appId, call.dialpadUserId());
            Map<String, Object> data = PushData.call(call);
            for (PushEventType type : types) {
                publish(event, appId, type, crmUser, data);
            }
        }
        return new Outcome.Done();
    }

    private Outcome processSms(WebhookEvent event, UUID appId) {
        Map<String, Object> payload = Json.parseObject(event.payload());
        SmsEvent.Parse parse = SmsEvent.parse(payload);
        if (parse instanceof SmsEvent.Parse.Invalid invalid) {
            return new Outcome.Failed("invalid SMS event: " + invalid.problem());
        }
        SmsEvent sms = ((SmsEvent.Parse.Parsed) parse).event();
        MessageInsert insert = messages.insert(appId, sms, event.receivedAt());
        if (insert instanceof MessageInsert.Inserted inserted) {
            publish(event, appId, PushEventType.MESSAGE_RECEIVED, crmUser(appId, sms.dialpadUserId()),
                    PushData.message(inserted.message()));
        }
        return new Outcome.Done();
    }

    private Outcome reroute(WebhookEvent event) {
        if (event.organisationId().isEmpty()) {
            return new Outcome.Failed("unrouted: the event names no organisation");
        }
        List<UUID> apps = router.appsOf(event.organisationId().get());
        if (apps.isEmpty()) {
            return new Outcome.Failed("unrouted: no app is connected to its organisation");
        }
        byte[] raw = event.payload().getBytes(StandardCharsets.UTF_8);
        Map<String, Object> payload = Json.parseObject(raw);
        List<NewWebhookEvent> copies = apps.stream()
                .map(app -> NewWebhookEvent.of(Optional.of(app), event.organisationId(), payload, raw,
                        event.receivedAt()))
                .toList();
        events.storeAll(copies);
        LOG.info("unrouted webhook event {} routed to {} app(s)", event.id(), apps.size());
        return new Outcome.Done();
    }

    private Optional<String> crmUser(UUID appId, Optional<String> dialpadUserId) {
        if (dialpadUserId.isEmpty()) {
            return Optional.empty();
        }
        try {
            return users.findByDialpadUser(appId, dialpadUserId.get()).map(UserMapping::crmUserId);
        } catch (RuntimeException e) {
            LOG.warn("could not read the user mapping for a push: {}", e.getMessage());
            return Optional.empty();
        }
    }

    private void publish(WebhookEvent event, UUID appId, PushEventType type, Optional<String> crmUser,
                         Map<String, Object> data) {
        // one id per (stored event, type): a receiver that somehow sees the same push twice drops the repeat
        UUID id = UUID.nameUUIDFromBytes((event.id() + ":" + type.wireName()).getBytes(StandardCharsets.UTF_8));
        try {
            push.publish(new PushEvent(id, appId, type, clock.instant(), crmUser, new LinkedHashMap<>(data)));
        } catch (RuntimeException e) {
            LOG.warn("push {} for app {} was not published: {}", type.wireName(), appId, e.getMessage());
        }
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
    }
}
