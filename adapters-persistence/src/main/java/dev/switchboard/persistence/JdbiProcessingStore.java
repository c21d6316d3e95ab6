package dev.switchboard.persistence;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallKey;
import dev.switchboard.core.calls.CallUpdate;
import dev.switchboard.core.messages.Message;
import dev.switchboard.core.messages.NewMessage;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.users.DialpadUser;
import dev.switchboard.core.webhook.ProcessingStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * {@link ProcessingStore} on PostgreSQL: one JDBI transaction (read committed) per batch, in which each method is
 * one statement, or a few, whatever the number of rows ({@link Unnest}). Calls follow the protocol of
 * {@link JdbiCallStore} (locked {@code FOR UPDATE} in key order, inserted or updated in bulk); messages are inserted
 * with {@code ON CONFLICT DO NOTHING}; pushes are {@code NOTIFY}s of the same transaction ({@link PushNotifications}),
 * which PostgreSQL delivers only if it commits; the events are marked processed last, in the statement that also
 * sends the batch's notifications (one round trip fewer; the notifications of a transaction that marks nothing are
 * sent on their own before it commits). Thread-safe.
 */
public final class JdbiProcessingStore implements ProcessingStore {
    /** Marks the events processed and sends the batch's push payloads, in one statement. */
    private static final String MARK_AND_NOTIFY = "WITH marked AS (" + JdbiWebhookEventStore.MARK_PROCESSED
            + " RETURNING 1), notified AS (" + PushNotifications.NOTIFY_ALL + ") "
            + "SELECT (SELECT count(*) FROM marked), (SELECT sent FROM notified)";

    private final Jdbi jdbi;
    private final Clock clock;

    private JdbiProcessingStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** A store on {@code database}; {@code clock} stamps voicemails, outbox rows and processed events. */
    public static JdbiProcessingStore create(Database database, Clock clock) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(clock, "clock");
        return new JdbiProcessingStore(database.jdbi(), clock);
    }

    @Override
    public void inTransaction(Consumer<Transaction> work) {
        Objects.requireNonNull(work, "work");
        PersistenceErrors.run("process webhook events", () -> jdbi.useTransaction(handle -> {
            HandleTransaction transaction = new HandleTransaction(handle);
            work.accept(transaction);
            transaction.sendPending();
        }));
    }

    /** One batch's transaction; remembers which calls it read, to update those and insert the others. */
    private final class HandleTransaction implements Transaction {
        private final Handle handle;
        private final Set<CallKey> stored = new HashSet<>();
        /** Notification payloads published and not sent yet, in order. */
        private final List<String> pending = new ArrayList<>();

        HandleTransaction(Handle handle) {
            this.handle = handle;
        }

        @Override
        public Map<CallKey, Call> lockCalls(Collection<CallKey> keys) {
            Map<CallKey, Call> calls = JdbiCallStore.lock(handle, keys);
            stored.addAll(calls.keySet());
            return calls;
        }

        @Override
        public Set<CallKey> saveCalls(List<CallUpdate> updates) {
            return JdbiCallStore.save(handle, updates, stored, clock.instant());
        }

        @Override
        public List<Message> insertMessages(List<NewMessage> messages) {
            return JdbiMessageStore.insertAll(handle, messages);
        }

        @Override
        public Map<DialpadUser, String> crmUsers(Collection<DialpadUser> users) {
            return JdbiUserMappingStore.crmUsers(handle, users);
        }

        @Override
        public void publish(List<PushEvent> events) {
            pending.addAll(PushNotifications.prepare(handle, events, clock.instant()));
        }

        @Override
        public void markProcessed(Collection<UUID> eventIds) {
            if (pending.isEmpty() || eventIds.isEmpty()) {
                JdbiWebhookEventStore.markProcessed(handle, eventIds, clock.instant());
                return;
            }
            PushNotifications.bindPayloads(handle.createQuery(MARK_AND_NOTIFY), pending)
                    .bind("ids", SqlArrays.uuids(eventIds))
                    .bind("at", Sql.at(clock.instant()))
                    .mapTo(Long.class)
                    .one();
            pending.clear();
        }

        /** Sends what was published and not sent with {@link #markProcessed}. */
        void sendPending() {
            PushNotifications.sendPayloads(handle, pending);
            pending.clear();
        }
    }
}
