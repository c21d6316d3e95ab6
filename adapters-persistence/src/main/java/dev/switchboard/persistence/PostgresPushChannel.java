package dev.switchboard.persistence;

import dev.switchboard.core.Backoff;
import dev.switchboard.core.data.DataVersions;
import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushFeed;
import dev.switchboard.core.push.PushPublisher;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real-time push between instances over PostgreSQL {@code LISTEN}/{@code NOTIFY} on the channel
 * {@value #CHANNEL}: the {@link PushPublisher} and the {@link PushFeed} of one instance.
 *
 * <p><b>Publishing</b> sends one notification through a pooled connection ({@link PushNotifications}, which the
 * event processor also uses inside the transaction that stores the change). Its payload is
 * {@code {"event": {...}}} when that fits in {@value #MAX_INLINE_BYTES} bytes (PostgreSQL refuses payloads of 8000
 * bytes and more); a larger event is written to {@code push_outbox} and the payload is
 * {@code {"outbox_id": ..., "app_id": ...}}, in the same transaction, so the row is visible when the notification
 * arrives. Outbox rows older than {@link #OUTBOX_RETENTION} are deleted by later large publishes.
 *
 * <p><b>Receiving</b>: one daemon thread holds a dedicated connection (not from the pool) that runs {@code LISTEN},
 * waits for notifications and hands each event to every subscriber, in channel order. Because every instance
 * listens, including the one that published, an event published anywhere reaches each instance's subscribers
 * exactly once; nothing is delivered locally on the side. When the connection drops, the thread reconnects with
 * backoff ({@link #RECONNECT}: 100 ms doubling to 5 s); <b>events published while an instance is not
 * listening are lost for that instance's sockets</b> (the calls and messages they describe are stored, and clients
 * can list them). An idle connection is probed every {@link #PROBE_INTERVAL}, so a dead link is noticed.
 *
 * <p>Thread-safe. {@link #publish} throws {@link dev.switchboard.core.StoreUnavailableException} when the database
 * cannot be reached. {@link #close()} stops the listener and drops the subscribers.
 */
public final class PostgresPushChannel implements PushPublisher, PushFeed, AutoCloseable {
    /** The notification channel every instance listens on. */
    public static final String CHANNEL = "switchboard_push";
    /**
     * The channel on which the database itself (triggers of migrations V7 and V11) sends the id of each app whose
     * calls, messages or Dialpad webhooks a committed statement wrote; it feeds {@link #dataVersions()}.
     */
    public static final String DATA_CHANNEL = "switchboard_data";
    /** The largest payload sent inline; larger events go through {@code push_outbox}. */
    public static final int MAX_INLINE_BYTES = 7_900;
    /** How long an outbox row is kept for listeners to read. */
    public static final Duration OUTBOX_RETENTION = Duration.ofHours(1);
    /** The waits between attempts to listen again after the connection was lost. */
    static final Backoff RECONNECT = Backoff.of(Duration.ofMillis(100), Duration.ofSeconds(5));
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(10);
    static final String APPLICATION_NAME = "switchboard-push";
    private static final int POLL_MILLIS = 250;
    private static final Duration FIRST_LISTEN_WAIT = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(PostgresPushChannel.class);

    private final Database database;
    private final Jdbi jdbi;
    private final Clock clock;
    private final List<Consumer<PushEvent>> subscribers = new CopyOnWriteArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch firstListen = new CountDownLatch(1);
    private final AtomicBoolean listening = new AtomicBoolean();
    private final DataVersions dataVersions = DataVersions.create();
    private final Thread listener;

    private PostgresPushChannel(Database database, Clock clock) {
        this.database = database;
        this.jdbi = database.jdbi();
        this.clock = clock;
        this.listener = new Thread(this::listenLoop, "switchboard-push-listener");
        this.listener.setDaemon(true);
    }

    /**
     * Starts listening on {@code database} and returns once the first {@code LISTEN} is in place (or, if the
     * database does not answer within ten seconds, returns anyway while the listener keeps retrying), so an event
     * published after this returns reaches this instance.
     */
    public static PostgresPushChannel start(Database database, Clock clock) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(clock, "clock");
        PostgresPushChannel channel = new PostgresPushChannel(database, clock);
        channel.listener.start();
        try {
            if (!channel.firstListen.await(FIRST_LISTEN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("push listener is not connected yet; it keeps retrying in the background");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return channel;
    }

    @Override
    public void publish(PushEvent event) {
        Objects.requireNonNull(event, "event");
        PersistenceErrors.run("publish a push event", () -> jdbi.useTransaction(handle ->
                PushNotifications.send(handle, List.of(event), clock.instant())));
    }

    @Override
    public Subscription subscribe(Consumer<PushEvent> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        // a wrapper, so the same consumer subscribed twice is two subscriptions, each removed by its own handle
        Consumer<PushEvent> entry = subscriber::accept;
        subscribers.add(entry);
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                subscribers.remove(entry);
            }
        };
    }

    /**
     * The versions of each app's calls, messages and Dialpad webhooks, as the change notices of {@link #DATA_CHANNEL}
     * received by this listener tell them; not current (empty) while the listener is disconnected. Changes committed
     * before a push's own notice are counted before that push is delivered, since both arrive on this one connection
     * in commit order.
     */
    public DataVersions dataVersions() {
        return dataVersions;
    }

    /** True while the listener holds a connection with {@code LISTEN} in place; for health checks and metrics. */
    public boolean listening() {
        return listening.get();
    }

    /** Stops the listener (within about a quarter of a second) and drops every subscriber. */
    @Override
    public void close() {
        stopped.countDown();
        try {
            listener.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscribers.clear();
    }

    private void listenLoop() {
        int failures = 0;
        while (stopped.getCount() > 0) {
            try (Connection connection = database.openDedicatedConnection(APPLICATION_NAME,
                    (int) PROBE_INTERVAL.multipliedBy(3).toSeconds())) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                    statement.execute("LISTEN " + DATA_CHANNEL);
                }
                dataVersions.tracking();
                listening.set(true);
                firstListen.countDown();
                if (failures > 0) {
                    LOG.info("push listener reconnected");
                }
                failures = 0;
                receive(connection);
            } catch (SQLException | RuntimeException e) {
                Duration backoff = RECONNECT.delay(failures + 1);
                // the message of a driver failure may name hosts and users; the kind and state say enough
                LOG.warn("push listener lost its database connection ({}{}); retrying in {} ms; pushes published "
                                + "meanwhile do not reach this instance's sockets", e.getClass().getSimpleName(),
                        sqlState(e), backoff.toMillis());
            } finally {
                listening.set(false);
                dataVersions.lost();
            }
            if (awaitStop(RECONNECT.delay(++failures))) {
                return;
            }
        }
    }

    private void receive(Connection connection) throws SQLException {
        PGConnection postgres = connection.unwrap(PGConnection.class);
        long lastActivity = System.nanoTime();
        while (stopped.getCount() > 0) {
            PGNotification[] notifications = postgres.getNotifications(POLL_MILLIS);
            if (notifications != null && notifications.length > 0) {
                lastActivity = System.nanoTime();
                for (PGNotification notification : notifications) {
                    if (CHANNEL.equals(notification.getName())) {
                        handle(notification.getParameter());
                    } else if (DATA_CHANNEL.equals(notification.getName())) {
                        dataChanged(notification.getParameter());
                    }
                }
            } else if (System.nanoTime() - lastActivity > PROBE_INTERVAL.toNanos()) {
                try (Statement probe = connection.createStatement()) {
                    probe.execute("SELECT 1");
                }
                lastActivity = System.nanoTime();
            }
        }
    }

    private void dataChanged(String payload) {
        try {
            dataVersions.changed(UUID.fromString(payload));
        } catch (IllegalArgumentException e) {
            // not ours: a notice must never be mistaken for no change, so everything read before is stale
            LOG.warn("unreadable data change notice; forgetting every cached read");
            dataVersions.tracking();
        }
    }

    private void handle(String payload) {
        Optional<PushEvent> event;
        try {
            event = decode(payload);
        } catch (RuntimeException e) {
            // never the payload itself: it is tenant data
            LOG.warn("dropped an unreadable push notification ({})", e.getClass().getSimpleName());
            return;
        }
        event.ifPresent(this::dispatch);
    }

    private Optional<PushEvent> decode(String payload) {
        Map<String, Object> message = JsonCodec.parseObject(payload);
        if (message.get("event") instanceof Map<?, ?>) {
            @SuppressWarnings("unchecked")
            Map<String, Object> event = (Map<String, Object>) message.get("event");
            return Optional.of(PushEventCodec.fromJsonObject(event));
        }
        if (message.get("outbox_id") instanceof String id && message.get("app_id") instanceof String app) {
            Optional<String> stored = PersistenceErrors.call("read a large push event", () -> jdbi.withHandle(
                    handle -> handle.createQuery("SELECT payload FROM push_outbox WHERE id = :id AND app_id = :app")
                            .bind("id", UUID.fromString(id))
                            .bind("app", UUID.fromString(app))
                            .mapTo(String.class)
                            .findOne()));
            if (stored.isEmpty()) {
                LOG.warn("a large push event was no longer in the outbox");
            }
            return stored.map(PushEventCodec::decode);
        }
        throw new IllegalArgumentException("neither an event nor an outbox reference");
    }

    private void dispatch(PushEvent event) {
        for (Consumer<PushEvent> subscriber : subscribers) {
            try {
                subscriber.accept(event);
            } catch (RuntimeException e) {
                LOG.error("a push subscriber failed on event {}", event.id(), e);
            }
        }
    }

    private boolean awaitStop(Duration wait) {
        try {
            return stopped.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    private static String sqlState(Exception e) {
        return e instanceof SQLException sql && sql.getSQLState() != null ? ", SQLSTATE " + sql.getSQLState() : "";
    }
}
