package dev.switchboard.core.oauth;

import java.util.Objects;
import java.util.UUID;

/** Result of {@link OAuthFlows#complete}: whether a callback may go on to exchange its code. */
public sealed interface FlowCompletion {
    /**
     * The state was pending, unexpired, and presented by the browser that started the flow; it is now used up.
     * Its connect link had not been used up by another flow when the state was presented.
     *
     * @param verifier the PKCE verifier to send with the code (RFC 7636 section 4.5); secret, never logged
     * @param link     the connect link the flow was started from ({@link DialpadConnections#finish} uses it up)
     */
    record Resumed(UUID appId, String verifier, LinkBinding link) implements FlowCompletion {
        public Resumed {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(verifier, "verifier");
            Objects.requireNonNull(link, "link");
        }

        @Override
        public String toString() {
            return "Resumed[appId=" + appId + ", verifier=(redacted), link=" + link + "]";
        }
    }

    /**
     * The state was genuine and is now used up, but another flow of the same connect link has already completed a
     * connection through it (401): a link connects once, however many flows it started.
     */
    record LinkUsed(UUID appId) implements FlowCompletion {
        public LinkUsed {
            Objects.requireNonNull(appId, "appId");
        }
    }

    /** The callback carried no {@code state} (400). */
    record MissingState() implements FlowCompletion {
    }

    /** No pending flow has this state: never issued, or already used (400). */
    record UnknownOrUsedState() implements FlowCompletion {
    }

    /** The flow existed but its 15 minutes had passed; it is used up (400). */
    record Expired(UUID appId) implements FlowCompletion {
        public Expired {
            Objects.requireNonNull(appId, "appId");
        }
    }

    /**
     * The state is real but the browser is not the one that started the flow. The flow is used up all the same,
     * so it cannot be retried (400; audited as {@code oauth_state_mismatch}).
     */
    record BrowserMismatch(UUID appId, Reason reason) implements FlowCompletion {
        public BrowserMismatch {
            Objects.requireNonNull(appId, "appId");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Why the browser did not match. */
    enum Reason {
        /** The request carried no binding cookie. */
        NO_COOKIE,
        /** The cookie is not one this server could have signed (malformed or bad signature). */
        FORGED_COOKIE,
        /** A genuine cookie, but of another flow. */
        OTHER_FLOW
    }
}
