package dev.switchboard.http;

import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.apikey.ApiKeyCheck;
import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushFeed;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /ws}: the WebSocket (RFC 6455) on which an app's clients receive its real-time events.
 *
 * <p><b>Admission.</b> The upgrade request carries the app's API key in {@code x-app-api-key}, in
 * {@code Authorization: Bearer}, or in the {@code api_key} query parameter (for browsers, which cannot set headers
 * on a WebSocket). It is checked before the upgrade: missing or invalid is 401, an inactive app 403, an unreachable
 * database 503, each as a JSON error and without a socket. The key is never logged (nor is the query string).
 * Before this check the upgrade request passes the server's edge like any request ({@link HttpServer}): it gets a
 * request id and counts against the {@code /api} rate limit, so keys cannot be guessed here faster than there.
 *
 * <p><b>Delivery.</b> Each {@link PushEvent} from the {@link PushFeed} goes to the sockets of its app only, as one
 * text message {@code {"type", "event_id", "occurred_at", "app_id", "target_crm_user"?, "data"}}
 * ({@code target_crm_user} only when a user mapping exists). Each socket remembers the last event ids it was given
 * and drops a repeat, so an event is sent at most once per socket. Sending is asynchronous and one frame at a time
 * per socket, from a bounded queue: a slow client never holds up the feed or other sockets, and a socket whose
 * queue overflows is closed with 1013 (try again later) and, if it cannot even take the close frame, dropped.
 *
 * <p><b>Limit.</b> An app holds at most {@link PushSettings#maxSocketsPerApp()} sockets on this instance: the upgrade
 * past it is answered 429 {@code too_many_requests} with {@code Retry-After}, and a socket that still opens past it
 * (upgrades admitted at the same moment) is closed at once with 1013.
 *
 * <p><b>Upkeep.</b> Every socket gets a ping frame each {@link PushSettings#pingInterval()}. Each distinct key is
 * checked again each {@link PushSettings#recheckInterval()} through {@link AppKeyCheck#recheck}; once it is revoked,
 * rotated away, or its app deactivated, its sockets are closed with 1008 (policy violation). While the database is
 * unreachable, sockets stay open.
 *
 * <p>Thread-safe. {@link #close()} stops the upkeep, leaves the feed, and closes every socket with 1001.
 */
public final class PushSocket implements RouteGroup, AutoCloseable {
    /** The route. */
    public static final String PATH = "/ws";
    /** Close code for a socket whose key stopped being valid (RFC 6455 section 7.4.1). */
    public static final int POLICY_VIOLATION = 1008;
    /** Close code for a socket that fell too far behind. */
    public static final int TRY_AGAIN_LATER = 1013;
    private static final int GOING_AWAY = 1001;
    private static final String ADMISSION_ATTRIBUTE = "switchboard.push.admission";
    private static final Duration DROP_GRACE = Duration.ofSeconds(5);
    /** When a refused upgrade may try again: sockets close as agents leave, not on a clock. */
    private static final long SOCKET_RETRY_SECONDS = 30;
    private static final Logger LOG = LoggerFactory.getLogger(PushSocket.class);

    private final AppKeyCheck keys;
    private final PushSettings settings;
    private final Map<Session, Client> clients = new ConcurrentHashMap<>();
    private final Map<UUID, Set<Client>> clientsByApp = new ConcurrentHashMap<>();
    private final ScheduledExecutorService upkeep;
    private final AtomicLong overflowClosed = new AtomicLong();
    private volatile PushFeed.Subscription subscription;

    private PushSocket(AppKeyCheck keys, PushSettings settings) {
        this.keys = keys;
        this.settings = settings;
        AtomicInteger threads = new AtomicInteger();
        this.upkeep = Executors.newScheduledThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "switchboard-ws-upkeep-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A socket route checking keys with {@code keys}, fed by {@code feed}; it starts receiving events at once. */
    public static PushSocket create(AppKeyCheck keys, PushFeed feed, PushSettings settings) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(feed, "feed");
        Objects.requireNonNull(settings, "settings");
        PushSocket socket = new PushSocket(keys, settings);
        socket.subscription = feed.subscribe(socket::deliver);
        long ping = settings.pingInterval().toMillis();
        long recheck = settings.recheckInterval().toMillis();
        socket.upkeep.scheduleAtFixedRate(socket::pingAll, ping, ping, TimeUnit.MILLISECONDS);
        socket.upkeep.scheduleWithFixedDelay(socket::recheckAll, recheck, recheck, TimeUnit.MILLISECONDS);
        return socket;
    }

    @Override
    public void addTo(RoutesConfig routes) {
        routes.wsBeforeUpgrade(PATH, this::admit);
        routes.ws(PATH, ws -> {
            ws.onConnect(this::open);
            ws.onClose(ctx -> forget(ctx.session));
            ws.onError(ctx -> forget(ctx.session));
            // clients have nothing to say on this socket; their messages are ignored
            ws.onMessage(ctx -> { });
        });
    }

    /** Sockets open on this instance now; a gauge for metrics. */
    public int openSockets() {
        return clients.size();
    }

    /** The sockets open on this instance for {@code appId}. */
    public int openSockets(UUID appId) {
        Set<Client> sockets = clientsByApp.get(appId);
        return sockets == null ? 0 : sockets.size();
    }

    /** Sockets closed so far because they fell too far behind; a counter for metrics. */
    public long overflowClosedSockets() {
        return overflowClosed.get();
    }

    @Override
    public void close() {
        PushFeed.Subscription current = subscription;
        if (current != null) {
            current.close();
        }
        upkeep.shutdownNow();
        for (Client client : List.copyOf(clients.values())) {
            client.close(GOING_AWAY, "server shutting down");
        }
    }

    private void admit(Context ctx) {
        String key = presentedKey(ctx);
        ApiKeyCheck check = keys.authenticate(key);
        if (check instanceof ApiKeyCheck.Rejected rejected) {
            throw switch (rejected.reason()) {
                case MISSING -> Problems.unauthorized("missing_api_key",
                        "An API key is required: x-app-api-key, Authorization: Bearer, or api_key.");
                case APP_INACTIVE -> Problems.forbidden("app_inactive", "This app is deactivated.");
                case MALFORMED, UNKNOWN, REVOKED -> Problems.unauthorized("invalid_api_key",
                        "The API key is not valid.");
            };
        }
        if (!(check instanceof ApiKeyCheck.Authenticated authenticated)) {
            throw new IllegalStateException("unhandled key check " + check.getClass().getSimpleName());
        }
        if (openSockets(authenticated.appId()) >= settings.maxSocketsPerApp()) {
            LOG.atInfo().addKeyValue("event", "push_sockets_limited").addKeyValue("app_id", authenticated.appId())
                    .log("app has {} sockets open; upgrade refused", settings.maxSocketsPerApp());
            throw Problems.tooManyRequests("This app has too many sockets open. Close one or try again later.",
                    SOCKET_RETRY_SECONDS, Map.of());
        }
        ctx.attribute(ADMISSION_ATTRIBUTE, new Admission(authenticated.appId(), authenticated.keyHint(), key.strip()));
    }

    /** The key from the header, else the bearer token, else the query; null when there is none. */
    private static String presentedKey(Context ctx) {
        String header = ctx.header("x-app-api-key");
        if (header != null && !header.isBlank()) {
            return header;
        }
        String authorization = ctx.header("Authorization");
        if (authorization != null) {
            String trimmed = authorization.strip();
            if (trimmed.length() > 7 && trimmed.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
                return trimmed.substring(7);
            }
        }
        return ctx.queryParam("api_key");
    }

    private void open(WsConnectContext ctx) {
        Admission admission = ctx.attribute(ADMISSION_ATTRIBUTE);
        // the attribute map lives as long as the socket; the key is kept only in the client
        ctx.attribute(ADMISSION_ATTRIBUTE, null);
        if (admission == null) {
            ctx.closeSession(POLICY_VIOLATION, "not authenticated");
            return;
        }
        // writes (pings, events) keep a healthy socket busy well within this
        ctx.session.setIdleTimeout(settings.pingInterval().multipliedBy(2).plusSeconds(30));
        Client client = new Client(ctx.session, admission);
        clients.put(ctx.session, client);
        Set<Client> appSockets = clientsByApp.computeIfAbsent(admission.appId(),
                app -> ConcurrentHashMap.newKeySet());
        appSockets.add(client);
        if (appSockets.size() > settings.maxSocketsPerApp()) {
            // upgrades admitted at the same moment can pass the check before any of them opened: the excess closes
            client.close(TRY_AGAIN_LATER, "too many sockets for this app");
            return;
        }
        LOG.debug("push socket opened for app {} with key {}", admission.appId(), admission.keyHint());
    }

    private void forget(Session session) {
        Client client = clients.remove(session);
        if (client == null) {
            return;
        }
        clientsByApp.computeIfPresent(client.admission.appId(), (app, set) -> {
            set.remove(client);
            return set.isEmpty() ? null : set;
        });
    }

    private void deliver(PushEvent event) {
        Set<Client> targets = clientsByApp.get(event.appId());
        if (targets == null || targets.isEmpty()) {
            return;
        }
        String message = wireMessage(event);
        for (Client client : targets) {
            client.offer(event.id(), message);
        }
    }

    /** The JSON text a client receives for {@code event}. */
    static String wireMessage(PushEvent event) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("type", event.type().wireName());
        message.put("event_id", event.id().toString());
        message.put("occurred_at", event.occurredAt().toString());
        message.put("app_id", event.appId().toString());
        event.targetCrmUser().ifPresent(user -> message.put("target_crm_user", user));
        message.put("data", event.data());
        return JsonCodec.write(message);
    }

    private void pingAll() {
        for (Client client : clients.values()) {
            client.ping();
        }
    }

    private void recheckAll() {
        Map<String, List<Client>> byKey = new LinkedHashMap<>();
        for (Client client : clients.values()) {
            byKey.computeIfAbsent(client.admission.key(), k -> new ArrayList<>()).add(client);
        }
        for (Map.Entry<String, List<Client>> entry : byKey.entrySet()) {
            ApiKeyCheck check;
            try {
                check = keys.recheck(entry.getKey());
            } catch (StoreUnavailableException e) {
                LOG.warn("cannot recheck push socket keys, keeping the sockets open: {}", e.getMessage());
                return;
            } catch (RuntimeException e) {
                LOG.error("rechecking a push socket key failed", e);
                continue;
            }
            for (Client client : entry.getValue()) {
                boolean stillValid = check instanceof ApiKeyCheck.Authenticated ok
                        && ok.appId().equals(client.admission.appId());
                if (!stillValid) {
                    LOG.info("closing a push socket of app {}: key {} is no longer valid", client.admission.appId(),
                            client.admission.keyHint());
                    client.close(POLICY_VIOLATION, "api key no longer valid");
                }
            }
        }
    }

    /** Who opened a socket. Holds the key, for rechecks; {@link #toString()} leaves it out. */
    private record Admission(UUID appId, String keyHint, String key) {
        @Override
        public String toString() {
            return "Admission[appId=" + appId + ", keyHint=" + keyHint + "]";
        }
    }

    /** One open socket: its queue of messages, written one frame at a time, and the ids it has been given. */
    private final class Client {
        private final Session session;
        private final Admission admission;
        private final ArrayDeque<String> queue = new ArrayDeque<>();
        private final Map<UUID, Boolean> seen;
        private boolean sending;
        private boolean closed;

        Client(Session session, Admission admission) {
            this.session = session;
            this.admission = admission;
            int remembered = settings.dedupeCapacity();
            this.seen = new LinkedHashMap<>(16, 0.75f, false) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
                    return size() > remembered;
                }
            };
        }

        void offer(UUID eventId, String message) {
            boolean overflowed;
            synchronized (this) {
                if (closed || seen.put(eventId, Boolean.TRUE) != null) {
                    return;
                }
                overflowed = queue.size() >= settings.queueCapacity();
                if (!overflowed) {
                    queue.add(message);
                    if (sending) {
                        return;
                    }
                    sending = true;
                } else {
                    closed = true;
                    queue.clear();
                }
            }
            if (overflowed) {
                overflow();
            } else {
                pump();
            }
        }

        /**
         * Writes queued messages one at a time. A write that completes at once continues this loop instead of
         * recursing from its callback; one that completes later calls pump again from Jetty's thread.
         */
        private void pump() {
            while (true) {
                String next;
                synchronized (this) {
                    next = closed ? null : queue.poll();
                    if (next == null) {
                        sending = false;
                        return;
                    }
                }
                // 0: write pending, 1: completed before sendText returned, 2: sendText returned first
                AtomicInteger phase = new AtomicInteger();
                session.sendText(next, Callback.from(() -> {
                    if (!phase.compareAndSet(0, 1)) {
                        pump();
                    }
                }, failure -> {
                    LOG.debug("push socket of app {} failed to take a message ({})", admission.appId(),
                            failure.getClass().getSimpleName());
                    close(PushSocket.GOING_AWAY, "write failed");
                }));
                if (phase.compareAndSet(0, 2)) {
                    return;
                }
            }
        }

        private void overflow() {
            overflowClosed.incrementAndGet();
            LOG.warn("closing a push socket of app {}: it fell {} events behind", admission.appId(),
                    settings.queueCapacity());
            end(TRY_AGAIN_LATER, "client too slow");
            // the close frame waits behind unwritten data; a client that does not read at all is dropped
            upkeep.schedule(() -> {
                if (session.isOpen()) {
                    session.disconnect();
                }
            }, DROP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }

        void ping() {
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            session.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
        }

        void close(int code, String reason) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                queue.clear();
            }
            end(code, reason);
        }

        /** Called once, outside the lock, since Jetty may call back into this client while closing. */
        private void end(int code, String reason) {
            forget(session);
            session.close(code, reason, Callback.NOOP);
        }
    }
}
