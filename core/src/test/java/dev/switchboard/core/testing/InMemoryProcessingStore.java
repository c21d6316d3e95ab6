package dev.switchboard.core.testing;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallKey;
import dev.switchboard.core.calls.CallUpdate;
import dev.switchboard.core.messages.Message;
import dev.switchboard.core.messages.NewMessage;
import dev.switchboard.core.messages.SmsEvent;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.users.DialpadUser;
import dev.switchboard.core.webhook.ProcessingStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The processing store in memory: a transaction stages its writes and applies them when the work returns, so a
 * failing transaction leaves nothing behind (no call, no message, no push, no processed mark). Transactions run
 * one at a time. Calls must be locked before they are saved, as the port requires. Events a transaction marks
 * processed are marked in the {@link InMemoryWebhookEventStore} given. Thread-safe.
 */
public final class InMemoryProcessingStore implements ProcessingStore {
    private final Map<CallKey, Call> calls = new HashMap<>();
    private final Map<String, Message> messages = new HashMap<>();
    private final List<PushEvent> published = new CopyOnWriteArrayList<>();
    private final InMemoryWebhookEventStore events;
    private final Map<DialpadUser, String> mappings;
    private int transactions;
    private volatile Predicate<Call> rejectedCall = call -> false;
    private volatile boolean publishFails;
    private volatile Function<CallKey, Optional<Call>> createdMeanwhile = key -> Optional.empty();

    /** A store marking processed events in {@code events}, with {@code mappings} as the CRM users of Dialpad users. */
    public InMemoryProcessingStore(InMemoryWebhookEventStore events, Map<DialpadUser, String> mappings) {
        this.events = events;
        this.mappings = Map.copyOf(mappings);
    }

    /** The pushes committed so far, in order. */
    public List<PushEvent> published() {
        return published;
    }

    /** The messages committed so far, by app and Dialpad message id. */
    public synchronized Map<String, Message> messages() {
        return Map.copyOf(messages);
    }

    /** Transactions begun, committed or not. */
    public synchronized int transactions() {
        return transactions;
    }

    /** From now on a store failure for any transaction that saves a call {@code rejected} matches. */
    public void rejectCalls(Predicate<Call> rejected) {
        this.rejectedCall = rejected;
    }

    /** From now on a store failure, or none, for any transaction that publishes. */
    public void failPublishing(boolean fails) {
        this.publishFails = fails;
    }

    /**
     * Consulted before a new call is inserted: a call returned here was created by "another transaction" just
     * before, so the insert reports it as created meanwhile.
     */
    public void createMeanwhile(Function<CallKey, Optional<Call>> created) {
        this.createdMeanwhile = created;
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
    public synchronized Optional<Call> call(UUID appId, String dialpadCallId) {
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
                Call call = InMemoryProcessingStore.this.calls.get(key);
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
                    throw new StoreUnavailableException("the store rejected a call", null);
                }
                Optional<Call> other = found.contains(key) ? Optional.empty() : createdMeanwhile.apply(key);
                if (other.isPresent()) {
                    InMemoryProcessingStore.this.calls.put(key, other.get());
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
                boolean known = InMemoryProcessingStore.this.messages.containsKey(key) || messages.stream()
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
                throw new StoreUnavailableException("push channel down", null);
            }
            pushes.addAll(events);
        }

        @Override
        public void markProcessed(Collection<UUID> eventIds) {
            processed.addAll(eventIds);
        }
    }
}
