package dev.switchboard.core;

/**
 * The database (or whatever backs a store port) could not be reached or failed mid-operation. Callers that face
 * a client turn it into 503 so the client retries; nothing was durably written when it is thrown.
 */
public class StoreUnavailableException extends SwitchboardException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
