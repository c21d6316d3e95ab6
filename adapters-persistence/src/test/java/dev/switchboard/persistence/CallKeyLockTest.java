package dev.switchboard.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.calls.Call;
import dev.switchboard.core.calls.CallEvent;
import dev.switchboard.core.calls.CallKey;
import dev.switchboard.core.calls.CallMerge;
import dev.switchboard.core.calls.CallStatus;
import dev.switchboard.core.calls.CallUpdate;
import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Transactions writing overlapping calls through {@link JdbiCallStore#lock} and {@link JdbiCallStore#save}, stepped
 * one statement at a time, each on its own connection: the interleavings that made PostgreSQL report a deadlock when
 * only rows were locked.
 */
class CallKeyLockTest {
    private static final long T0 = 1_714_557_600_000L;
    private static TestDatabase testDatabase;
    private static Database database;
    private final List<Session> sessions = new ArrayList<>();

    @BeforeAll
    static void open() {
        testDatabase = TestDatabase.create();
        database = Database.open(DatabaseSettings.of(testDatabase.jdbcUrl(), 10));
    }

    @AfterAll
    static void close() {
        database.close();
        testDatabase.close();
    }

    @AfterEach
    void closeSessions() {
        sessions.forEach(Session::close);
    }

    @Test
    void transactions_meeting_a_call_created_meanwhile_wait_for_one_another_instead_of_deadlocking() throws Exception {
        UUID app = Apps.insert(testDatabase);
        CallKey a = new CallKey(app, "900001");
        CallKey c = new CallKey(app, "900002");
        Session z = session();
        Session y = session();
        Session x = session();

        // Z creates c and has not committed yet
        z.await(z.run(() -> write(z.handle, Map.of(c, event(c, "ringing", T0)))));
        // Y reads a and c: neither is visible yet
        Future<Map<CallKey, Call>> yLock = y.run(() -> JdbiCallStore.lock(y.handle, List.of(a, c)));
        y.settle(yLock);
        z.await(z.run(() -> z.handle.commit()));
        Map<CallKey, Call> yStored = y.await(yLock);
        // X reads a and c, now that c is committed
        Future<Map<CallKey, Call>> xLock = x.run(() -> JdbiCallStore.lock(x.handle, List.of(a, c)));
        x.settle(xLock);
        // Y writes both, X writes both: Y's insert of a and X's lock of c must not wait for one another in a cycle
        Future<?> yWrite = y.run(() -> write(y.handle, yStored, Map.of(
                a, event(a, "connected", T0 + 1_000), c, event(c, "connected", T0 + 1_000))));
        y.settle(yWrite);
        Future<?> xWrite = x.run(() -> {
            Map<CallKey, Call> stored = x.await(xLock);
            return write(x.handle, stored, Map.of(a, event(a, "hangup", T0 + 9_000), c, event(c, "hangup", T0 + 9_000)));
        });
        x.settle(xWrite);
        Future<?> yCommit = y.run(() -> y.handle.commit());
        Future<?> xCommit = x.run(() -> x.handle.commit());

        y.await(yWrite);
        y.await(yCommit);
        x.await(xWrite);
        x.await(xCommit);
        try (Handle handle = database.jdbi().open()) {
            List<String> statuses = handle.createQuery(
                            "SELECT dialpad_call_id || ' ' || status FROM calls WHERE app_id = :app ORDER BY 1")
                    .bind("app", app).mapTo(String.class).list();
            assertThat(statuses).containsExactly("900001 " + CallStatus.ENDED.jsonName(), "900002 " + CallStatus.ENDED.jsonName());
        }
    }

    @Test
    void lock_numbers_are_distinct_ascending_and_stable() {
        UUID app = UUID.fromString("00000000-0000-0000-0000-00000000000a");
        CallKey one = new CallKey(app, "1");
        CallKey two = new CallKey(app, "2");

        assertThat(JdbiCallStore.keyLocks(List.of(two, one, two))).isEqualTo(JdbiCallStore.keyLocks(Set.of(one, two)))
                .hasSize(2).isSorted();
        assertThat(JdbiCallStore.keyLocks(List.of(one))).isNotEqualTo(JdbiCallStore.keyLocks(List.of(two)));
    }

    private Session session() {
        Session session = new Session(database.jdbi().open());
        sessions.add(session);
        session.await(session.run(() -> {
            session.handle.begin();
            return null;
        }));
        return session;
    }

    /** Locks the calls of {@code events}, then writes them the way event processing does. */
    private static Object write(Handle handle, Map<CallKey, CallEvent> events) {
        return write(handle, JdbiCallStore.lock(handle, events.keySet()), events);
    }

    /**
     * Merges {@code events} into {@code stored} and saves them; a call that a concurrent transaction created
     * meanwhile is locked and merged again, as event processing does.
     */
    private static Object write(Handle handle, Map<CallKey, Call> stored, Map<CallKey, CallEvent> events) {
        Map<CallKey, Call> known = new HashMap<>(stored);
        Map<CallKey, CallEvent> pending = new HashMap<>(events);
        for (int round = 0; round < 3 && !pending.isEmpty(); round++) {
            List<CallUpdate> updates = new ArrayList<>();
            pending.forEach((key, event) -> updates.add(
                    CallMerge.apply(known.get(key), UUID.randomUUID(), key.appId(), event)));
            Set<CallKey> createdMeanwhile = JdbiCallStore.save(handle, updates, known.keySet(), Instant.ofEpochMilli(T0));
            pending.keySet().retainAll(createdMeanwhile);
            known.putAll(createdMeanwhile.isEmpty() ? Map.of() : JdbiCallStore.lock(handle, createdMeanwhile));
        }
        assertThat(pending).isEmpty();
        return null;
    }

    private static CallEvent event(CallKey key, String state, long at) {
        Map<String, Object> payload = new HashMap<>();
        payload.put("call_id", Long.parseLong(key.dialpadCallId()));
        payload.put("state", state);
        payload.put("direction", "inbound");
        payload.put("external_number", "+15550001111");
        payload.put("target", Map.of("id", 77L, "type", "user"));
        payload.put("date_started", T0);
        payload.put("event_timestamp", at);
        if (state.equals("hangup")) {
            payload.put("date_ended", at);
        }
        return ((CallEvent.Parse.Parsed) CallEvent.parse(payload)).event();
    }

    /** One connection in a transaction, driven statement by statement from its own thread. */
    private static final class Session {
        final Handle handle;
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        final int pid;

        Session(Handle handle) {
            this.handle = handle;
            this.pid = handle.createQuery("SELECT pg_backend_pid()").mapTo(Integer.class).one();
        }

        <T> Future<T> run(Callable<T> step) {
            return thread.submit(step);
        }

        /** Waits until {@code step} has finished or this session's statement is waiting for a lock. */
        void settle(Future<?> step) throws Exception {
            boolean settled = Await.atMost(Duration.ofSeconds(10)).until(() -> step.isDone() || waitingForALock());
            assertThat(settled).as("a step that neither finishes nor waits for a lock").isTrue();
        }

        private boolean waitingForALock() {
            try (Handle probe = database.jdbi().open()) {
                return probe.createQuery(
                                "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid AND wait_event_type = 'Lock'")
                        .bind("pid", pid).mapTo(Integer.class).one() > 0;
            }
        }

        <T> T await(Future<T> step) {
            try {
                return step.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("step failed", e);
            }
        }

        void close() {
            thread.shutdownNow();
            if (handle.isInTransaction()) {
                handle.rollback();
            }
            handle.close();
        }
    }
}
