package dev.switchboard.core;

/**
 * Root of the infrastructure failures Switchboard can raise: a store that cannot be reached, a provider that
 * does not answer. Expected outcomes (a bad signature, a refused refresh) are values, never subclasses of this.
 *
 * <p>Messages never carry a secret, a token or a provider's raw response body: they are safe to log.
 */
public class SwitchboardException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SwitchboardException(String message) {
        super(message);
    }

    public SwitchboardException(String message, Throwable cause) {
        super(message, cause);
    }
}
