package dev.switchboard.core.webhook;

import java.time.Instant;

/**
 * Port: the stored webhook events no app took (their organisation was connected to none when they arrived), as far
 * as expiring them goes. Implementations are thread-safe and shared by every instance; they throw
 * {@link dev.switchboard.core.StoreUnavailableException} when the backing store fails.
 */
public interface UnroutedEvents {
    /**
     * Deletes every unrouted event received before {@code cutoff}, whatever its processing state, and returns how
     * many were deleted. At most one instance deletes at a time: when another one is doing it right now, this returns
     * 0 at once without waiting (that instance deletes the same events).
     */
    int deleteReceivedBefore(Instant cutoff);
}
