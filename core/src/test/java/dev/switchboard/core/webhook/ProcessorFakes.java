package dev.switchboard.core.webhook;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallKey;
import dev.switchboard.core.calls.CallUpdate;
import dev.switchboard.core.messages.Message;
import dev.switchboard.core.messages.NewMessage;
import dev.switchboard.core.messages.SmsEvent;
import dev.switchboard.core.oauth.ConnectionStore;
import dev.switchboard.core.oauth.ConnectionSummary;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.users.DialpadUser;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/** In-memory fakes of the ports the event processor uses. Not thread-safe beyond what the tests need. */
final class ProcessorFakes {
    private ProcessorFakes() {
    }

    /** The inbox as a map, with claim/lease/fail semantics of the port. */
    static class InMemoryEventStore implements WebhookEventStore {
        final Map<UUID, WebhookEvent> events = new LinkedHashMap<>();
        final Map<UUID, Instant> leases = new HashMap<>();
        private final Clock clock;

        InMemoryEventStore(Clock clock) {
            this.clock = clock;
        }

        @Override
        public synchronized Stored store(NewWebhookEvent event) {
            for (WebhookEvent existing : events.values()) {
                if (existing.appId().equals(event.appId()) && existing.deduplicationKey().equals(event.deduplicationKey())
                        && (event.appId().isPresent() || existing.organisationId().equals(event.organisationId()))) {
                    return new Stored(existing.id(), true);
                }
            }
            UUID id = UUID.randomUUID();
            events.put(id, new WebhookEvent(id, event.appId(), event.organisationId(), event.kind(),
                    event.deduplicationKey(), event.payload(), WebhookEventStatus.RECEIVED, 0, Optional.empty(),
                    event.receivedAt(), Optional.of(event.receivedAt()), Optional.empty()));
            return new Stored(id, false);
        }

        @Override
        public synchronized List<WebhookEvent> claim(int limit, Instant now, Duration lease, String owner) {
            List<WebhookEvent> claimed = new ArrayList<>();
            for (WebhookEvent e : events.values()) {
                boolean due = e.status() != WebhookEventStatus.PROCESSED && e.nextAttemptAt().isPresent()
                        && !e.nextAttemptAt().get().isAfter(now);
                Instant leased = leases.get(e.id());
                if (due && (leased == null || !leased.isAfter(now)) && claimed.size() < limit) {
                    leases.put(e.id(), now.plus(lease));
                    claimed.add(e);
                }
            }
            return claimed;
        }

        /** Ends the leases of the unprocessed events of {@code ids} (the fake does not keep lease owners). */
        @Override
        public synchronized int releaseLeases(java.util.Collection<UUID> ids, String owner) {
            int released = 0;
            for (UUID id : ids) {
                WebhookEvent e = events.get(id);
                if (e != null && e.status() != WebhookEventStatus.PROCESSED && leases.remove(id) != null) {
                    released++;
                }
            }
            return released;
        }

        @Override
        public synchronized boolean markProcessed(UUID id) {
            WebhookEvent e = events.get(id);
            if (e == null) {
                return false;
            }
            leases.remove(id);
            events.put(id, new WebhookEvent(id, e.appId(), e.organisationId(), e.kind(), e.deduplicationKey(),
                    e.payload(), WebhookEventStatus.PROCESSED, e.attempts(), e.lastError(), e.receivedAt(),
                    Optional.empty(), Optional.of(clock.instant())));
            return true;
        }

        @Override
        public synchronized boolean markFailed(UUID id, String error, Instant nextAttemptAt) {
            WebhookEvent e = events.get(id);
            if (e == null) {
                return false;
            }
            leases.remove(id);
            events.put(id, new WebhookEvent(id, e.appId(), e.organisationId(), e.kind(), e.deduplicationKey(),
                    e.payload(), WebhookEventStatus.FAILED, e.attempts() + 1, Optional.of(error), e.receivedAt(),
                    Optional.of(nextAttemptAt), Optional.empty()));
            return true;
        }

        /** Makes a processed event due again, as if its processing had never been recorded. */
        synchronized void reopen(UUID id) {
            WebhookEvent e = events.get(id);
            events.put(id, new WebhookEvent(id, e.appId(), e.organisationId(), e.kind(), e.deduplicationKey(),
                    e.payload(), WebhookEventStatus.RECEIVED, e.attempts(), e.lastError(), e.receivedAt(),
                    Optional.of(e.receivedAt()), Optional.empty()));
        }

        @Override
        public synchronized Optional<WebhookEvent> find(UUID id) {
            return Optional.ofNullable(events.get(id));
        }

        @Override
        public synchronized long backlog() {
            return events.values().stream().filter(e -> e.status() != WebhookEventStatus.PROCESSED).count();
        }
    }

    /**
     * The processing store in memory: a transaction stages its writes and applies them when the work returns, so a
     * failing transaction leaves nothing behind (no call, no message, no push, no processed mark). Transactions run
     * one at a time. Calls must be locked before they are saved, as the port requires.
     */
    static final class InMemoryProcessing implements ProcessingStore {
        final Map<CallKey, Call> calls = new HashMap<>();
        final Map<String, Message> messages = new HashMap<>();
        final List<PushEvent> published = new CopyOnWriteArrayList<>();
        private final InMemoryEventStore events;
        private final Map<DialpadUser, String> mappings;
        /** Transactions begun, committed or not. */
        int transactions;
        /** A store failure for any transaction that saves a call this matches (an event the store rejects). */
        volatile Predicate<Call> rejectedCall = call -> false;
        /** A store failure for any transaction that publishes. */
        volatile boolean publishFails;
        /**
         * Consulted before a new call is inserted: a call returned here was created by "another transaction" just
         * before, so the insert reports it as created meanwhile.
         */
        volatile Function<CallKey, Optional<Call>> createdMeanwhile = key -> Optional.empty();

        InMemoryProcessing(InMemoryEventStore events, Map<DialpadUser, String> mappings) {
            this.events = events;
            this.mappings = Map.copyOf(mappings);
        }

        @Override
        public synchronized void inTransaction(Consumer<Transaction> work) {
            transactions++;
            Staged staged = new Staged();
            work.accept(staged);
            calls.putAll(staged.calls);
            staged.messages.forEach(m -> messages.put(m.appId() + "/" + m.dialpadMessageId(), m));
            published.addAll(staged.pushes);
            staged.processed.forEach(events::markProcessed);
        }

        /** The stored call of the app with this Dialpad id, or empty. */
        synchronized Optional<Call> call(UUID appId, String dialpadCallId) {
            return Optional.ofNullable(calls.get(new CallKey(appId, dialpadCallId)));
        }

        private final class Staged implements Transaction {
            final Set<CallKey> locked = new HashSet<>();
            final Set<CallKey> found = new HashSet<>();
            final Map<CallKey, Call> calls = new HashMap<>();
            final List<Message> messages = new ArrayList<>();
            final List<PushEvent> pushes = new ArrayList<>();
            final List<UUID> processed = new ArrayList<>();

            @Override
            public Map<CallKey, Call> lockCalls(Collection<CallKey> keys) {
                Map<CallKey, Call> stored = new HashMap<>();
                for (CallKey key : keys) {
                    locked.add(key);
                    Call call = InMemoryProcessing.this.calls.get(key);
                    if (call != null) {
                        stored.put(key, call);
                        found.add(key);
                    }
                }
                return stored;
            }

            @Override
            public Set<CallKey> saveCalls(List<CallUpdate> updates) {
                Set<CallKey> lost = new HashSet<>();
                for (CallUpdate update : updates) {
                    CallKey key = CallKey.of(update.call());
                    if (!locked.contains(key)) {
                        throw new IllegalStateException("saved a call it did not lock: " + key);
                    }
                    if (rejectedCall.test(update.call())) {
                        throw new dev.switchboard.core.StoreUnavailableException("the store rejected a call", null);
                    }
                    Optional<Call> other = found.contains(key) ? Optional.empty() : createdMeanwhile.apply(key);
                    if (other.isPresent()) {
                        InMemoryProcessing.this.calls.put(key, other.get());
                        lost.add(key);
                    } else {
                        calls.put(key, update.call());
                    }
                }
                return lost;
            }

            @Override
            public List<Message> insertMessages(List<NewMessage> news) {
                List<Message> inserted = new ArrayList<>();
                for (NewMessage one : news) {
                    SmsEvent event = one.event();
                    String key = one.appId() + "/" + event.dialpadMessageId();
                    boolean known = InMemoryProcessing.this.messages.containsKey(key) || messages.stream()
                            .anyMatch(m -> (m.appId() + "/" + m.dialpadMessageId()).equals(key));
                    if (!known) {
                        Message message = new Message(UUID.randomUUID(), one.appId(), event.dialpadMessageId(),
                                event.direction(), event.fromNumber(), event.toNumbers(), event.text(),
                                event.dialpadUserId(), event.createdAt().orElse(one.receivedAt()));
                        messages.add(message);
                        inserted.add(message);
                    }
                }
                return inserted;
            }

            @Override
            public Map<DialpadUser, String> crmUsers(Collection<DialpadUser> users) {
                Map<DialpadUser, String> found = new HashMap<>();
                users.forEach(user -> Optional.ofNullable(mappings.get(user)).ifPresent(crm -> found.put(user, crm)));
                return found;
            }

            @Override
            public void publish(List<PushEvent> events) {
                if (publishFails) {
                    throw new dev.switchboard.core.StoreUnavailableException("push channel down", null);
                }
                pushes.addAll(events);
            }

            @Override
            public void markProcessed(Collection<UUID> eventIds) {
                processed.addAll(eventIds);
            }
        }
    }

    /** A connection store where {@code organisations} maps an organisation id to its connected apps. */
    static ConnectionStore connections(Map<String, List<UUID>> organisations) {
        return (ConnectionStore) Proxy.newProxyInstance(ConnectionStore.class.getClassLoader(),
                new Class<?>[] {ConnectionStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("findByOrganisation")) {
                        String org = (String) args[0];
                        return organisations.getOrDefault(org, List.of()).stream()
                                .map(app -> new ConnectionSummary(app, org, Instant.EPOCH, DialpadEnvironment.SANDBOX,
                                        Instant.EPOCH, Instant.EPOCH, RefreshHealth.initial(Instant.EPOCH)))
                                .toList();
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
