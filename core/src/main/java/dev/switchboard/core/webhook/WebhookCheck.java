package dev.switchboard.core.webhook;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Result of checking one webhook delivery. Expected failures are values, not exceptions.
 *
 * <p>The HTTP adapter maps {@link Reason#MALFORMED} to 400 and every other reason to 401
 * {@code invalid_signature} (see {@link Reason#isSignatureProblem()}).
 */
public sealed interface WebhookCheck {
    /**
     * The delivery is authentic: its signature verified with the secret and its payload is a JSON object.
     *
     * @param payload the JSON object as {@link dev.switchboard.core.json.JsonCodec} parses it (unmodifiable, in
     *                document order, values may be null)
     */
    record Accepted(Map<String, Object> payload) implements WebhookCheck {
        public Accepted {
            Objects.requireNonNull(payload, "payload");
            payload = Collections.unmodifiableMap(new LinkedHashMap<>(payload));
        }
    }

    /** The delivery was refused; {@code reason} says why, without any detail from the input. */
    record Rejected(Reason reason) implements WebhookCheck {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Why a delivery was refused. */
    enum Reason {
        /** No signature was presented (no {@code x-dialpad-signature} header on a legacy delivery). */
        MISSING_SIGNATURE,
        /** A signature was presented but does not verify with the secret (or is not even shaped like one). */
        BAD_SIGNATURE,
        /** The JWS header asks for something other than HS256, or marks an extension critical. */
        UNSUPPORTED_ALGORITHM,
        /** The token or the body is not well formed: segments, base64url, JSON, or a payload that is no object. */
        MALFORMED,
        /** The token carries an {@code exp} claim that has passed (beyond the verifier's leeway). */
        EXPIRED;

        /** True for every reason the caller answers with 401; false for {@link #MALFORMED} (400). */
        public boolean isSignatureProblem() {
            return this != MALFORMED;
        }
    }
}
