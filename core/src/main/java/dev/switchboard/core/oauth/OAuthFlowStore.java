package dev.switchboard.core.oauth;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * Port: pending OAuth flows, shared by every instance of the server so a callback may land on any of them.
 *
 * <p>Implementations are thread-safe and keep the PKCE verifier encrypted at rest. Infrastructure failures throw
 * {@link dev.switchboard.core.StoreUnavailableException}; expected outcomes are values.
 */
public interface OAuthFlowStore {
    /** Keeps a new pending flow. A flow with the same state hash is a programmer error (256-bit states do not collide). */
    void save(OAuthFlow flow);

    /**
     * Uses up the flow whose state hashes to {@code stateHash}, atomically: across all instances and threads, at most
     * one call ever gets {@link Consumption.Pending} for a given state, and every later call gets
     * {@link Consumption.NotFound}. A flow found expired at {@code now} is used up too, and reported as
     * {@link Consumption.Expired} without its verifier.
     */
    Consumption consume(SecretHash stateHash, Instant now);

    /**
     * Deletes every flow that expired at or before {@code now}, used or not; returns how many went, 0 at once when
     * another instance is purging them at this moment (it deletes the same ones).
     */
    int purgeExpired(Instant now);

    /** What consuming a state found. */
    sealed interface Consumption {
        /** The flow was pending and is now used up; its verifier is handed out this once. */
        record Pending(OAuthFlow flow) implements Consumption {
            public Pending {
                Objects.requireNonNull(flow, "flow");
            }
        }

        /** The flow existed but had expired; it is used up as well. Only its origin is reported, not its verifier. */
        record Expired(FlowOrigin origin) implements Consumption {
            public Expired {
                Objects.requireNonNull(origin, "origin");
            }

            /** The app the flow was connecting. */
            public UUID appId() {
                return origin.appId();
            }
        }

        /** No such state, or it was already used. */
        record NotFound() implements Consumption {
        }
    }
}
