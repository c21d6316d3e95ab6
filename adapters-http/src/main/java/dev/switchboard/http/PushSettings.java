package dev.switchboard.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@code /ws} treats its sockets.
 *
 * @param pingInterval     how often each socket gets a WebSocket ping frame (RFC 6455 section 5.5.2)
 * @param recheckInterval  how often each socket's key is checked again, so a revoked key's sockets close
 * @param queueCapacity    events waiting to be written to one socket; a socket that falls further behind is closed
 * @param dedupeCapacity   event ids each socket remembers, so a repeated event is not sent twice
 * @param maxSocketsPerApp sockets one app may hold open on this instance ({@code WS_MAX_SOCKETS_PER_APP}); the
 *                         upgrade past it is answered 429
 */
public record PushSettings(Duration pingInterval, Duration recheckInterval, int queueCapacity, int dedupeCapacity,
                           int maxSocketsPerApp) {
    /** Sockets per app when not configured: one per agent of a large call-centre team, and a bound on memory. */
    public static final int DEFAULT_MAX_SOCKETS_PER_APP = 100;
    /**
     * The contract's 30 s ping, a 3 s recheck, 256 queued events and 1024 remembered ids per socket, and
     * {@value #DEFAULT_MAX_SOCKETS_PER_APP} sockets per app.
     */
    public static final PushSettings DEFAULTS = new PushSettings(Duration.ofSeconds(30), Duration.ofSeconds(3), 256,
            1024, DEFAULT_MAX_SOCKETS_PER_APP);

    public PushSettings {
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(recheckInterval, "recheckInterval");
        if (pingInterval.toMillis() < 1 || recheckInterval.toMillis() < 1) {
            throw new IllegalArgumentException("intervals must be at least a millisecond");
        }
        if (queueCapacity < 1 || dedupeCapacity < 1 || maxSocketsPerApp < 1) {
            throw new IllegalArgumentException("capacities must be positive");
        }
    }

    /** Settings with {@link #DEFAULT_MAX_SOCKETS_PER_APP} sockets per app. */
    public PushSettings(Duration pingInterval, Duration recheckInterval, int queueCapacity, int dedupeCapacity) {
        this(pingInterval, recheckInterval, queueCapacity, dedupeCapacity, DEFAULT_MAX_SOCKETS_PER_APP);
    }

    /** These settings with another ping interval. */
    public PushSettings withPingInterval(Duration interval) {
        return new PushSettings(interval, recheckInterval, queueCapacity, dedupeCapacity, maxSocketsPerApp);
    }

    /** These settings with another recheck interval. */
    public PushSettings withRecheckInterval(Duration interval) {
        return new PushSettings(pingInterval, interval, queueCapacity, dedupeCapacity, maxSocketsPerApp);
    }

    /** These settings with another cap on each app's open sockets. */
    public PushSettings withMaxSocketsPerApp(int max) {
        return new PushSettings(pingInterval, recheckInterval, queueCapacity, dedupeCapacity, max);
    }
}
