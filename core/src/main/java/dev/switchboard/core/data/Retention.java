package dev.switchboard.core.data;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention jobs of the server, run together: each deletes what has been kept long enough (processed events,
 * unrouted events, expired OAuth flows and connect links). {@link #runOnce()} is one synchronous pass; a runner calls
 * it periodically on every instance, and each job's store lets one instance at a time do the work (the others' jobs
 * return 0 at once). A job that fails is logged and does not keep the others from running; the next pass tries again.
 *
 * <p>Usage: {@code Retention.of(List.of(Job.olderThan("processed events", retention, clock, store::deleteBefore)))
 * .runOnce()}. Thread-safe when its jobs are.
 */
public final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    private final List<Job> jobs;

    private Retention(List<Job> jobs) {
        this.jobs = jobs;
    }

    /** The jobs to run, in this order. */
    public static Retention of(List<Job> jobs) {
        return new Retention(List.copyOf(jobs));
    }

    /**
     * One job: {@code purge} deletes what has expired and returns how many rows went.
     *
     * @param what what it deletes, for the log (e.g. {@code "processed webhook events"}); never a tenant's data
     */
    public record Job(String what, IntSupplier purge) {
        public Job {
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(purge, "purge");
        }

        /** A job that deletes, through {@code deleteBefore}, what is older than {@code age} at the time it runs. */
        public static Job olderThan(String what, Duration age, Clock clock, ToIntFunction<Instant> deleteBefore) {
            Objects.requireNonNull(age, "age");
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(deleteBefore, "deleteBefore");
            return new Job(what, () -> deleteBefore.applyAsInt(clock.instant().minus(age)));
        }
    }

    /** Runs every job once and returns how many rows they deleted in all; a failing job counts 0. */
    public int runOnce() {
        int total = 0;
        for (Job job : jobs) {
            try {
                int deleted = job.purge().getAsInt();
                if (deleted > 0) {
                    LOG.info("retention: {} {} deleted", deleted, job.what());
                }
                total += deleted;
            } catch (RuntimeException e) {
                // store failures carry messages written for operators, without secrets
                LOG.warn("retention: {} could not be deleted now: {}", job.what(), e.getMessage());
            }
        }
        return total;
    }
}
