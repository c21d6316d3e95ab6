package dev.switchboard.dialpad;

import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import java.util.Objects;

/** What came back from one call to Dialpad: an HTTP answer of any status, or no usable answer at all. */
sealed interface DialpadReply {
    /** Dialpad answered; the status may be anything. */
    record Answered(HTTPResponse response) implements DialpadReply {
        public Answered {
            Objects.requireNonNull(response, "response");
        }

        int status() {
            return response.getStatusCode();
        }

        String body() {
            String body = response.getBody();
            return body == null ? "" : body;
        }
    }

    /** No answer: timeout, refused connection, network error, oversized answer. {@code reason} is our sentence. */
    record Failed(String reason) implements DialpadReply {
        public Failed {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
