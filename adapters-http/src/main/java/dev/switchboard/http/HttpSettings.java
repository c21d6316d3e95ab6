package dev.switchboard.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How the HTTP server listens and behaves at the edge, and what it allows a slow or greedy client.
 *
 * @param host                    listen address
 * @param port                    listen port; 0 picks a free one
 * @param maxBodyBytes            largest request body accepted; larger ones get 413
 * @param headerTimeout           how long a request's head (request line and headers) may take to arrive, from its
 *                                first byte; a connection still sending it then is closed
 * @param bodyTimeout             how long a request's body may take to arrive, from the end of its head; 408 after
 * @param minBodyBytesPerSecond   the slowest a body may arrive, averaged from two seconds after its head; 408 below
 * @param maxConnectionsPerClient open connections one client address may hold
 *                                ({@code HTTP_MAX_CONNECTIONS_PER_CLIENT}); the requests of connections beyond it are
 *                                answered 429. Trusted proxies are exempt
 */
public record HttpSettings(String host, int port, long maxBodyBytes, Duration headerTimeout, Duration bodyTimeout,
                           long minBodyBytesPerSecond, int maxConnectionsPerClient) {
    /** The contract's limit: 1 MiB. */
    public static final long ONE_MIB = 1024L * 1024L;
    /** A head arrives in one packet from any real client; ten seconds leaves room for a very bad network. */
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    /** A 1 MiB body within 30 seconds is about 35 KB/s, slower than any link a webhook or API client uses. */
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(30);
    /** 1 KiB/s: far below any real client, far above a client that holds a connection with a byte now and then. */
    public static final long DEFAULT_MIN_BODY_BYTES_PER_SECOND = 1024;
    /**
     * Open sockets count as connections: room for one integration server holding an app's 100 sockets and its API
     * calls, far above a browser's 6, far below what exhausts the server's file descriptors.
     */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 256;

    public HttpSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(bodyTimeout, "bodyTimeout");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535");
        }
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("maxBodyBytes must be positive and fit in an array");
        }
        if (headerTimeout.toMillis() < 1 || bodyTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("timeouts must be at least a millisecond");
        }
        if (minBodyBytesPerSecond < 0) {
            throw new IllegalArgumentException("minBodyBytesPerSecond must not be negative");
        }
        if (maxConnectionsPerClient < 1) {
            throw new IllegalArgumentException("maxConnectionsPerClient must be positive");
        }
    }

    /** Settings with {@code maxBodyBytes} and the default deadlines and connection limit. */
    public HttpSettings(String host, int port, long maxBodyBytes) {
        this(host, port, maxBodyBytes, DEFAULT_HEADER_TIMEOUT, DEFAULT_BODY_TIMEOUT,
                DEFAULT_MIN_BODY_BYTES_PER_SECOND, DEFAULT_MAX_CONNECTIONS_PER_CLIENT);
    }

    /** Settings with the contract's 1 MiB body limit and the default deadlines and connection limit. */
    public static HttpSettings of(String host, int port) {
        return new HttpSettings(host, port, ONE_MIB);
    }

    /** These settings with other read deadlines and minimum body rate. */
    public HttpSettings withDeadlines(Duration newHeaderTimeout, Duration newBodyTimeout, long newMinBodyRate) {
        return new HttpSettings(host, port, maxBodyBytes, newHeaderTimeout, newBodyTimeout, newMinBodyRate,
                maxConnectionsPerClient);
    }

    /** These settings with another limit of connections per client address. */
    public HttpSettings withMaxConnectionsPerClient(int newMax) {
        return new HttpSettings(host, port, maxBodyBytes, headerTimeout, bodyTimeout, minBodyBytesPerSecond, newMax);
    }
}
