package dev.switchboard.core.audit;

import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads the audit trail for an export in pages of {@link #pageSize()} events, so that an export of any size holds
 * one page in memory at a time. Thread-safe; each {@link #events} iterator is for one thread.
 */
public final class AuditExport {
    /** The page size used by {@link #over(AuditTrail)}. */
    public static final int DEFAULT_PAGE_SIZE = 500;

    private final AuditTrail trail;
    private final int pageSize;

    private AuditExport(AuditTrail trail, int pageSize) {
        this.trail = trail;
        this.pageSize = pageSize;
    }

    /** An export over {@code trail} in pages of {@link #DEFAULT_PAGE_SIZE}. */
    public static AuditExport over(AuditTrail trail) {
        return over(trail, DEFAULT_PAGE_SIZE);
    }

    /** An export over {@code trail} in pages of {@code pageSize} (1 to {@link AuditTrail#MAX_LIMIT} / 2). */
    public static AuditExport over(AuditTrail trail, int pageSize) {
        Objects.requireNonNull(trail, "trail");
        if (pageSize < 1 || pageSize > AuditTrail.MAX_LIMIT / 2) {
            throw new IllegalArgumentException("pageSize must be between 1 and " + AuditTrail.MAX_LIMIT / 2);
        }
        return new AuditExport(trail, pageSize);
    }

    /** Events read per page. */
    public int pageSize() {
        return pageSize;
    }

    /**
     * The events of {@code appId} (of every app when empty) in {@code [since, until)}, oldest first, each once. The
     * first page is read before this returns, so that a store that cannot be reached shows as a
     * {@link dev.switchboard.core.StoreUnavailableException} here, before the caller has written anything; later
     * pages are read as the iterator reaches them and may throw the same.
     *
     * @throws IllegalArgumentException when {@code until} is before {@code since}
     * @throws IllegalStateException    from the iterator when more than {@link AuditTrail#MAX_LIMIT} events share
     *                                  one instant (the trail's paging rule cannot get past them)
     */
    public Iterator<AuditEvent> events(Optional<UUID> appId, Instant since, Instant until) {
        Objects.requireNonNull(appId, "appId");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        if (until.isBefore(since)) {
            throw new IllegalArgumentException("until must not be before since");
        }
        Pages pages = new Pages(appId, since, until);
        pages.fetch();
        return pages;
    }

    /**
     * Pages on the trail's rule: the next page starts at the last event's instant and skips the events of that
     * instant already returned. Events at one instant come back in the order they were written, so skipping by count
     * is exact.
     */
    private final class Pages implements Iterator<AuditEvent> {
        private final Optional<UUID> appId;
        private final Instant until;
        private Instant since;
        private int alreadySeenAtSince;
        private List<AuditEvent> page = List.of();
        private int position;
        private boolean exhausted;

        Pages(Optional<UUID> appId, Instant since, Instant until) {
            this.appId = appId;
            this.since = since;
            this.until = until;
        }

        @Override
        public boolean hasNext() {
            while (position >= page.size() && !exhausted) {
                fetch();
            }
            return position < page.size();
        }

        @Override
        public AuditEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return page.get(position++);
        }

        void fetch() {
            int limit = pageSize + alreadySeenAtSince;
            if (limit > AuditTrail.MAX_LIMIT) {
                throw new IllegalStateException("more than " + AuditTrail.MAX_LIMIT
                        + " audit events share one instant; the export cannot page past them");
            }
            List<AuditEvent> read = appId.isPresent()
                    ? trail.read(appId.get(), since, until, limit)
                    : trail.readAll(since, until, limit);
            exhausted = read.size() < limit;
            int skip = Math.min(alreadySeenAtSince, read.size());
            page = read;
            position = skip;
            if (!read.isEmpty()) {
                Instant last = read.get(read.size() - 1).at();
                int atLast = 0;
                for (int i = read.size() - 1; i >= 0 && read.get(i).at().equals(last); i--) {
                    atLast++;
                }
                // When the whole page shares the old instant, atLast counts the skipped ones too, as it should.
                alreadySeenAtSince = atLast;
                since = last;
            }
        }
    }
}
