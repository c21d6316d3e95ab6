package dev.switchboard.core.webhook;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of the inbound event table at one moment, for monitoring.
 *
 * @param backlog        events not processed yet, failed ones waiting for a retry included
 * @param failed         of those, the events whose last processing attempt failed
 * @param oldestWaiting  when the oldest event still waiting for its first processing attempt was received; empty when
 *                       none waits (failed events are left out: one that can never be applied would otherwise show a
 *                       lag that grows forever while processing keeps up)
 */
public record InboxCounts(long backlog, long failed, Optional<Instant> oldestWaiting) {
    /** Nothing waiting and nothing failed. */
    public static final InboxCounts EMPTY = new InboxCounts(0, 0, Optional.empty());

    public InboxCounts {
        Objects.requireNonNull(oldestWaiting, "oldestWaiting");
        if (backlog < 0 || failed < 0 || failed > backlog) {
            throw new IllegalArgumentException("counts are non-negative and the failed events are part of the backlog");
        }
    }
}
