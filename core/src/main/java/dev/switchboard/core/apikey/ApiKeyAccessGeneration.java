package dev.switchboard.core.apikey;

/**
 * Port, optional: a number that every committed change able to withdraw a key's access moves forward (a key revoked
 * or rotated away, a key given a grace end, a key row removed, an app deactivated or removed; creating a key need
 * not move it). A caller that saw the same number before and after reading a key's row knows that row still holds,
 * without reading it again; one cheap read tells a cache of verified keys whether any of them may have lost its access.
 *
 * <p>A store that keeps no such number does not implement this port; a cache without it re-reads each key's row on
 * its own schedule. Usage: {@code long before = generation.accessGeneration();} before reading a row, compared later.
 * Implementations are thread-safe and throw {@link dev.switchboard.core.StoreUnavailableException} when the number
 * cannot be read.
 */
@FunctionalInterface
public interface ApiKeyAccessGeneration {
    /** The current generation; it never moves backwards. */
    long accessGeneration();
}
