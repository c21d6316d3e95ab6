package dev.switchboard.app.config;

/**
 * What one client or one app may hold open at the HTTP edge.
 *
 * @param maxConnectionsPerClient open connections one client address may hold ({@code HTTP_MAX_CONNECTIONS_PER_CLIENT});
 *                                requests on connections past it are answered 429; trusted proxies are not counted
 * @param maxSocketsPerApp        open {@code /ws} sockets one app may hold on one instance ({@code WS_MAX_SOCKETS_PER_APP});
 *                                the upgrade past it is answered 429
 */
public record EdgeLimitsConfig(int maxConnectionsPerClient, int maxSocketsPerApp) {
    /**
     * 256 connections per client address and 100 sockets per app: sockets count as connections, so one integration
     * server holding an app's sockets still has room for its API calls.
     */
    public static final EdgeLimitsConfig DEFAULTS = new EdgeLimitsConfig(256, 100);

    public EdgeLimitsConfig {
        if (maxConnectionsPerClient < 1 || maxSocketsPerApp < 1) {
            throw new IllegalArgumentException("every edge limit must be a positive number");
        }
    }
}
