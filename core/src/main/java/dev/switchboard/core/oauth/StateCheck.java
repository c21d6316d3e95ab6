package dev.switchboard.core.oauth;

import java.util.Objects;

/**
 * Result of {@link OAuthStates#finish}: the PKCE verifier to exchange the code with, or why the callback is refused.
 * Expected failures are values, not exceptions; every state that named a pending flow is used up whatever the outcome.
 *
 * @param <C> the type of the caller's context kept with the flow
 */
public sealed interface StateCheck<C> {
    /**
     * The state was pending, unexpired, and presented by the browser that started the flow; it is now used up.
     *
     * @param context  what the caller attached at {@link OAuthStates#begin}
     * @param verifier the PKCE verifier to send with the code (RFC 7636 section 4.5); secret, never logged
     */
    record Resumed<C>(C context, Pkce.Verifier verifier) implements StateCheck<C> {
        public Resumed {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(verifier, "verifier");
        }
    }

    /** The callback carried no {@code state}. */
    record MissingState<C>() implements StateCheck<C> {
    }

    /** No pending flow has this state: never issued, or already used. */
    record UnknownOrUsed<C>() implements StateCheck<C> {
    }

    /** The flow existed but its lifetime had passed; it is used up. */
    record Expired<C>(C context) implements StateCheck<C> {
        public Expired {
            Objects.requireNonNull(context, "context");
        }
    }

    /**
     * The state is real but the browser is not the one that started the flow (login CSRF, a leaked callback URL). The
     * flow is used up all the same, so it cannot be retried.
     */
    record BrowserMismatch<C>(C context, Reason reason) implements StateCheck<C> {
        public BrowserMismatch {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Why the browser did not match. */
    enum Reason {
        /** The request carried no binding cookie. */
        NO_COOKIE,
        /** The cookie is not one this binding could have signed (malformed or bad signature). */
        FORGED_COOKIE,
        /** A genuine cookie, but of another flow. */
        OTHER_FLOW
    }
}
