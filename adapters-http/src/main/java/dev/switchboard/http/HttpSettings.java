package dev.switchboard.http;

import java.util.Objects;

/**
 * How the HTTP server listens and behaves at the edge.
 *
 * @param host         listen address
 * @param port         listen port; 0 picks a free one
 * @param maxBodyBytes largest request body accepted; larger ones get 413
 */
public record HttpSettings(String host, int port, long maxBodyBytes) {
    /** The contract's limit: 1 MiB. */
    public static final long ONE_MIB = 1024L * 1024L;

    public HttpSettings {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535");
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("maxBodyBytes must be positive");
        }
    }

    /** Settings with the contract's 1 MiB body limit. */
    public static HttpSettings of(String host, int port) {
        return new HttpSettings(host, port, ONE_MIB);
    }
}
