package dev.switchboard.dialpad;

/**
 * How Switchboard authenticates to Dialpad's token endpoint (RFC 6749 section 2.3.1). Dialpad accepts the client id
 * and secret in the form body or as HTTP Basic; which one it prefers is unconfirmed, so it is one setting.
 */
public enum DialpadClientAuth {
    /** {@code client_id} and {@code client_secret} as form parameters of the token request (the default). */
    CLIENT_SECRET_POST,
    /** {@code Authorization: Basic} with the form-encoded client id and secret. */
    CLIENT_SECRET_BASIC
}
