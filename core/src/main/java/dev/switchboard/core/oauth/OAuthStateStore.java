package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Objects;

/**
 * Port: where {@link OAuthStates} keeps pending flows. Two methods, so an embedder writes one over its own table
 * (or a map in a test). Shared by every instance of a service when a callback may land on any of them.
 *
 * <p>Implementations are thread-safe. Infrastructure failures throw
 * {@link dev.switchboard.core.StoreUnavailableException}; expected outcomes are values.
 *
 * @param <C> the type of the caller's context kept with each flow
 */
public interface OAuthStateStore<C> {
    /** Keeps a new pending flow. A flow with the same state hash is a programmer error (256-bit states do not collide). */
    void save(PendingState<C> state);

    /**
     * Uses up the flow whose state hashes to {@code stateHash}, atomically: across all instances and threads, at most
     * one call ever gets {@link Consumption.Pending} for a given state, and every later call gets
     * {@link Consumption.NotFound}. A flow found expired at {@code now} is used up too, and reported as
     * {@link Consumption.Expired} with its context but without its verifier. A store may also answer
     * {@link Consumption.Pending} for an expired flow: {@link OAuthStates} checks the expiry again by its own clock.
     */
    Consumption<C> consume(SecretHash stateHash, Instant now);

    /**
     * What consuming a state found.
     *
     * @param <C> the type of the caller's context
     */
    sealed interface Consumption<C> {
        /** The flow was pending and is now used up; its verifier is handed out this once. */
        record Pending<C>(PendingState<C> state) implements Consumption<C> {
            public Pending {
                Objects.requireNonNull(state, "state");
            }
        }

        /** The flow existed but had expired; it is used up as well. */
        record Expired<C>(C context) implements Consumption<C> {
            public Expired {
                Objects.requireNonNull(context, "context");
            }
        }

        /** No such state, or it was already used. */
        record NotFound<C>() implements Consumption<C> {
        }
    }
}
