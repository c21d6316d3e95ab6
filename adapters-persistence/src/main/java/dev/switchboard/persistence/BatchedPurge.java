package dev.switchboard.persistence;

import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Update;

/**
 * How every retention purge deletes: in batches of {@link #BATCH} rows, so that a large purge never holds many row
 * locks or one long transaction, while holding a session-level advisory lock of its own {@link Job} taken with
 * {@code pg_try_advisory_lock}: one instance purges a table at a time, the others skip their turn instead of waiting
 * or deleting the same rows. The lock goes with the session if the connection breaks, so a purge that dies cannot keep
 * the others out.
 */
final class BatchedPurge {
    /** Advisory lock class ("SBUP") of the purges; each job is a key in it. Distinct from the call-key locks. */
    static final int LOCK_CLASS = 0x5342_5550;
    /** Rows deleted per statement. */
    static final int BATCH = 5_000;

    /** The purges, each with its own lock key (the unrouted events' key 0 is what earlier versions took). */
    enum Job {
        UNROUTED_EVENTS(0, "delete old unrouted webhook events"),
        PROCESSED_EVENTS(1, "delete old processed webhook events"),
        OAUTH_FLOWS(2, "purge expired OAuth flows"),
        CONNECT_TOKENS(3, "purge expired connect tokens");

        final int key;
        /** What failed, for the {@link dev.switchboard.core.StoreUnavailableException} of a failed purge. */
        final String action;

        Job(int key, String action) {
            this.key = key;
            this.action = action;
        }
    }

    private BatchedPurge() {
    }

    /**
     * Runs {@code batchDelete} as {@link #run(Handle, Job, String, Consumer)} on a handle of its own; store failures
     * become {@link dev.switchboard.core.StoreUnavailableException}s naming the job.
     */
    static int run(Jdbi jdbi, Job job, String batchDelete, Consumer<Update> binds) {
        return PersistenceErrors.call(job.action, () -> jdbi.withHandle(handle ->
                run(handle, job, batchDelete, binds)));
    }

    /**
     * Runs {@code batchDelete} (a {@code DELETE} of at most {@code :batch} rows) until a batch deletes fewer, under the
     * lock of {@code job}, and returns how many rows went; 0 at once when another session holds the lock.
     * {@code binds} binds the statement's other parameters.
     */
    static int run(Handle handle, Job job, String batchDelete, Consumer<Update> binds) {
        boolean locked = handle.createQuery("SELECT pg_try_advisory_lock(:class, :key)")
                .bind("class", LOCK_CLASS).bind("key", job.key).mapTo(Boolean.class).one();
        if (!locked) {
            return 0;
        }
        try {
            int total = 0;
            int deleted;
            do {
                Update update = handle.createUpdate(batchDelete).bind("batch", BATCH);
                binds.accept(update);
                deleted = update.execute();
                total += deleted;
            } while (deleted == BATCH);
            return total;
        } finally {
            handle.createQuery("SELECT pg_advisory_unlock(:class, :key)").bind("class", LOCK_CLASS)
                    .bind("key", job.key).mapTo(Boolean.class).one();
        }
    }
}
