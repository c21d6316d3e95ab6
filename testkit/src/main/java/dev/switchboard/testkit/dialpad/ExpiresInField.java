package dev.switchboard.testkit.dialpad;

/**
 * What {@link FakeDialpad} writes in the {@code expires_in} field of its token responses. Dialpad does not
 * document the field (DIALPAD.md), so a client must cope with it being absent or useless; the token's real
 * lifetime stays {@link FakeDialpad#accessTokenLifetime(java.time.Duration) the configured one} in every mode.
 */
public enum ExpiresInField {
    /** The real lifetime in seconds (the default). */
    ACTUAL,
    /** No {@code expires_in} field at all. */
    MISSING,
    /** {@code "expires_in": 0}. */
    ZERO
}
