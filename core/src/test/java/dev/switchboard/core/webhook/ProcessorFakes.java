package dev.switchboard.core.webhook;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.calls.CallFilter;
import dev.switchboard.core.calls.CallMerge;
import dev.switchboard.core.calls.CallPage;
import dev.switchboard.core.calls.CallStore;
import dev.switchboard.core.calls.CallUpdate;
import dev.switchboard.core.messages.Message;
import dev.switchboard.core.messages.MessageFilter;
import dev.switchboard.core.messages.MessageInsert;
import dev.switchboard.core.messages.MessagePage;
import dev.switchboard.core.messages.MessageStore;
import dev.switchboard.core.messages.SmsEvent;
import dev.switchboard.core.oauth.ConnectionStore;
import dev.switchboard.core.oauth.ConnectionSummary;
import dev.switchboard.core.oauth.DialpadEnvironment;
import dev.switchboard.core.oauth.RefreshHealth;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushPublisher;
import dev.switchboard.core.users.UserMapping;
import dev.switchboard.core.users.UserMappingStore;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

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

    /** Calls folded with the real merge. */
    static final class InMemoryCalls implements CallStore {
        final Map<String, Call> calls = new HashMap<>();

        @Override
        public synchronized CallUpdate apply(UUID appId, CallEvent event) {
            String key = appId + "/" + event.dialpadCallId();
            CallUpdate update = CallMerge.apply(calls.get(key), UUID.randomUUID(), appId, event);
            calls.put(key, update.call());
            return update;
        }

        @Override
        public Optional<Call> find(UUID appId, UUID id) {
            return calls.values().stream().filter(c -> c.appId().equals(appId) && c.id().equals(id)).findFirst();
        }

        @Override
        public synchronized Optional<Call> findByDialpadId(UUID appId, String dialpadCallId) {
            return Optional.ofNullable(calls.get(appId + "/" + dialpadCallId));
        }

        @Override
        public CallPage list(UUID appId, CallFilter filter) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Call> active(UUID appId, int limit) {
            throw new UnsupportedOperationException();
        }
    }

    /** Messages keyed by app and Dialpad id. */
    static final class InMemoryMessages implements MessageStore {
        final Map<String, Message> messages = new HashMap<>();

        @Override
        public synchronized MessageInsert insert(UUID appId, SmsEvent event, Instant receivedAt) {
            String key = appId + "/" + event.dialpadMessageId();
            Message existing = messages.get(key);
            if (existing != null) {
                return new MessageInsert.Duplicate(existing);
            }
            Message message = new Message(UUID.randomUUID(), appId, event.dialpadMessageId(), event.direction(),
                    event.fromNumber(), event.toNumbers(), event.text(), event.dialpadUserId(),
                    event.createdAt().orElse(receivedAt));
            messages.put(key, message);
            return new MessageInsert.Inserted(message);
        }

        @Override
        public Optional<Message> find(UUID appId, UUID id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Message> findByDialpadId(UUID appId, String dialpadMessageId) {
            return Optional.ofNullable(messages.get(appId + "/" + dialpadMessageId));
        }

        @Override
        public MessagePage list(UUID appId, MessageFilter filter) {
            throw new UnsupportedOperationException();
        }
    }

    /** Records pushes; fails them while {@code failing} is set. */
    static final class RecordingPush implements PushPublisher {
        final List<PushEvent> published = new CopyOnWriteArrayList<>();
        volatile boolean failing;

        @Override
        public void publish(PushEvent event) {
            if (failing) {
                throw new dev.switchboard.core.StoreUnavailableException("push channel down", null);
            }
            published.add(event);
        }
    }

    /** A mapping store that knows {@code mappings} (app/dialpad user → CRM user); other methods are unsupported. */
    static UserMappingStore mappings(Map<String, String> mappings) {
        return (UserMappingStore) Proxy.newProxyInstance(UserMappingStore.class.getClassLoader(),
                new Class<?>[] {UserMappingStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("findByDialpadUser")) {
                        UUID app = (UUID) args[0];
                        String user = (String) args[1];
                        return Optional.ofNullable(mappings.get(app + "/" + user))
                                .map(crm -> new UserMapping(UUID.randomUUID(), app, user, crm, Instant.EPOCH));
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
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
