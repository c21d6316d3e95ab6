package dev.switchboard.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the HTTP connections of the listener:
 * <ul>
 *   <li>counts the open connections of each client address (the TCP peer; trusted proxies, whose connections carry
 *       many clients, are not counted) and marks those beyond {@link HttpSettings#maxConnectionsPerClient()}, whose
 *       requests {@link RequestGate} answers 429 and closes;
 *   <li>closes a connection whose request head (request line and headers) has been arriving for longer than
 *       {@link HttpSettings#headerTimeout()}: Jetty's idle timeout restarts with every byte, so without this a client
 *       sending a header byte every few seconds would hold a connection for hours.
 * </ul>
 * Jetty parses heads without a thread, so such a client never holds a request thread; this bounds the connections
 * and buffers it can hold. A WebSocket stays counted: Jetty gives the socket's connection the listeners of the
 * connector when it replaces the HTTP connection, which is counted out as it closes.
 *
 * <p>Registered on the connector as a {@link Connection.Listener}; thread-safe. {@link #sweep(long)} is called
 * periodically.
 */
final class ConnectionGuard implements Connection.Listener {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

    private final HttpSettings settings;
    private final ClientAddress clientAddress;
    private final Map<InetAddress, Integer> openByAddress = new ConcurrentHashMap<>();
    private final Map<Connection, InetAddress> counted = new ConcurrentHashMap<>();
    private final Set<Connection> refused = ConcurrentHashMap.newKeySet();
    private final Map<HttpConnection, Long> headStartedNanos = new ConcurrentHashMap<>();
    private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();

    ConnectionGuard(HttpSettings settings, ClientAddress clientAddress) {
        this.settings = settings;
        this.clientAddress = clientAddress;
    }

    @Override
    public void onOpened(Connection connection) {
        if (connection instanceof HttpConnection http) {
            open.add(http);
        }
        InetAddress peer = peer(connection.getEndPoint().getRemoteSocketAddress());
        if (peer == null || clientAddress.trusts(peer.getHostAddress())) {
            return;
        }
        counted.put(connection, peer);
        int now = openByAddress.merge(peer, 1, Integer::sum);
        if (now > settings.maxConnectionsPerClient()) {
            refused.add(connection);
            LOG.atInfo().addKeyValue("event", "connection_limited").addKeyValue("client_ip", peer.getHostAddress())
                    .log("client has {} connections open; its requests on the newest are refused", now);
        }
    }

    @Override
    public void onClosed(Connection connection) {
        refused.remove(connection);
        if (connection instanceof HttpConnection http) {
            open.remove(http);
            headStartedNanos.remove(http);
        }
        InetAddress peer = counted.remove(connection);
        if (peer != null) {
            openByAddress.computeIfPresent(peer, (address, count) -> count <= 1 ? null : count - 1);
        }
    }

    /** True when {@code connection} is beyond its client's connection limit. */
    boolean refused(Connection connection) {
        return connection != null && refused.contains(connection);
    }

    /** Closes every connection whose current request head started arriving more than the header deadline ago. */
    void sweep(long nowNanos) {
        long deadline = settings.headerTimeout().toNanos();
        for (HttpConnection connection : open) {
            HttpParser parser = connection.getParser();
            if (parser.isStart() || !parser.inHeaderState()) {
                headStartedNanos.remove(connection);
                continue;
            }
            long started = headStartedNanos.computeIfAbsent(connection, c -> nowNanos);
            if (nowNanos - started > deadline) {
                LOG.debug("closing a connection whose request head is late");
                headStartedNanos.remove(connection);
                connection.getEndPoint().close();
            }
        }
    }

    private static InetAddress peer(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
