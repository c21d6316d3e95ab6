package dev.switchboard.core.webhook;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallKey;
import dev.switchboard.core.calls.CallUpdate;
import dev.switchboard.core.messages.Message;
import dev.switchboard.core.messages.NewMessage;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.users.DialpadUser;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Where the {@link EventProcessor} applies a claimed batch of webhook events: the calls and voicemails, the messages,
 * the push events they cause and the events' processed mark, in <em>one</em> transaction. So everything a batch did
 * is stored, pushed and marked processed together, or none of it is: a push exists if and only if the change it
 * reports was committed (a transactional outbox), and an event is never marked processed without its effects.
 *
 * <p>Implementations are thread-safe and shared by every instance of the server; each {@link #inTransaction} runs on
 * the calling thread. Concurrent transactions on overlapping calls serialise on the calls' locks, never deadlock by
 * the order of their keys, and never lose an update.
 */
public interface ProcessingStore {
    /**
     * Runs {@code work} in a new transaction: commits when it returns, rolls back (nothing written, nothing pushed)
     * and rethrows when it throws. A failure of the store throws
     * {@link dev.switchboard.core.StoreUnavailableException}, also rolled back. The {@link Transaction} is valid only
     * on this thread until {@code work} returns.
     */
    void inTransaction(Consumer<Transaction> work);

    /** What a batch does inside its transaction. Not thread-safe; valid only inside {@link #inTransaction}. */
    interface Transaction {
        /**
         * Locks the calls of {@code keys} until the transaction ends and returns those that are stored (an unknown
         * call is absent from the map). Locks are taken in one fixed order whatever the order of {@code keys}, so
         * two transactions locking overlapping calls wait for one another instead of deadlocking.
         */
        Map<CallKey, Call> lockCalls(Collection<CallKey> keys);

        /**
         * Stores each call (one update per call, at most): a call that {@link #lockCalls} returned in this
         * transaction is updated, any other is inserted. When an update {@link dev.switchboard.core.calls.CallChange
         * has} {@code VOICEMAIL_ADDED}, the call's {@link dev.switchboard.core.calls.Voicemail} is created (unless it
         * exists); otherwise a call with a voicemail URL updates its existing voicemail (one the app deleted stays
         * deleted).
         *
         * @return the keys of calls to insert that another transaction created since they were looked up: nothing
         *         is written for those; lock them again (now returned), merge their events into them and save again
         */
        Set<CallKey> saveCalls(List<CallUpdate> updates);

        /**
         * Stores each message unless its app already has one with the same Dialpad id, and returns those stored now
         * (in any order). Messages of one app must have distinct Dialpad ids.
         */
        List<Message> insertMessages(List<NewMessage> messages);

        /** The CRM user each of {@code users} is mapped to; an unmapped user is absent from the map. */
        Map<DialpadUser, String> crmUsers(Collection<DialpadUser> users);

        /**
         * Publishes {@code events}, in this order, to the apps' sockets on every instance when (and only when) the
         * transaction commits.
         */
        void publish(List<PushEvent> events);

        /** Marks these stored webhook events processed (never claimed again) when the transaction commits. */
        void markProcessed(Collection<UUID> eventIds);
    }
}
