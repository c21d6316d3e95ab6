package dev.switchboard.core.data;

import java.util.Objects;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Versions of each app's stored data (calls, voicemails, messages, Dialpad webhooks and their secrets), fed by
 * change notices, so that a cache of what was read for an app can tell whether it is still current without asking
 * the database.
 *
 * <p>A reader takes {@link #current(UUID)} <em>before</em> it reads, and keeps the result with that version; the
 * result is current for as long as {@link #current(UUID)} returns the same version. A notice
 * ({@link #changed(UUID)}) that arrives after a change committed gives the app a new version, so a read that may have
 * missed the change is never taken as current afterwards. Notices only count while they are known to arrive: until
 * {@link #tracking()} is called and again after {@link #lost()}, {@link #current(UUID)} is empty (nothing may be
 * reused), and every (re)start of tracking makes all earlier versions stale, since notices sent meanwhile were lost.
 *
 * <p>Between a commit and the arrival of its notice a reader may still be given the earlier result: a few
 * milliseconds on one PostgreSQL, the time a {@code NOTIFY} takes. Thread-safe; memory grows by one entry per app
 * that changed since tracking started (entries are dropped when tracking restarts).
 */
public final class DataVersions {
    private final AtomicLong clock = new AtomicLong();
    private final ConcurrentMap<UUID, Long> changedAt = new ConcurrentHashMap<>();
    private volatile long trackedSince;
    private volatile boolean tracking;

    private DataVersions() {
    }

    /** Versions not tracking yet: {@link #current(UUID)} is empty until {@link #tracking()}. */
    public static DataVersions create() {
        return new DataVersions();
    }

    /** Notices arrive from now on (a listener is in place); every version handed out before is stale. */
    public void tracking() {
        changedAt.clear();
        trackedSince = clock.incrementAndGet();
        tracking = true;
    }

    /** Notices may be lost from now on (the listener is gone): nothing is current until {@link #tracking()}. */
    public void lost() {
        tracking = false;
        clock.incrementAndGet();
    }

    /** The app's data changed (a notice arrived); results read for it before are stale. */
    public void changed(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        changedAt.put(appId, clock.incrementAndGet());
    }

    /** The app's data version now, or empty while changes are not tracked (then nothing read may be reused). */
    public OptionalLong current(UUID appId) {
        Objects.requireNonNull(appId, "appId");
        if (!tracking) {
            return OptionalLong.empty();
        }
        long since = trackedSince;
        Long changed = changedAt.get(appId);
        long version = changed == null ? since : Math.max(changed, since);
        // checked again: a loss between the two reads must not hand out a version
        return tracking ? OptionalLong.of(version) : OptionalLong.empty();
    }
}
