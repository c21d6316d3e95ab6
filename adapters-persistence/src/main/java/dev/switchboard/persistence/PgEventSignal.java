package dev.switchboard.persistence;

import dev.switchboard.core.webhook.EventSignal;
import dev.switchboard.core.webhook.LocalEventSignal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventSignal} across instances: waiters of this process are woken by {@link #wake()} directly and by
 * every {@code NOTIFY} on {@link JdbiWebhookEventStore#CHANNEL} (sent by {@link JdbiWebhookEventStore#storeAll} when
 * it commits new events, on any instance). A listener thread holds one dedicated connection, outside the pool or
 * kept from a host's (LISTEN belongs to the session), and reconnects after a failure; every (re)connection wakes the
 * waiters, since notifications sent while it was away are lost. Waiters always wait with a bound, so a lost
 * notification delays processing by one poll interval at most. A notification whose payload is this signal's
 * {@link #origin()} came from this instance's own writer, which has woken the local waiters already, and is ignored:
 * one wake per stored batch, not two. Thread-safe; {@link #close()} stops the listener.
 */
public final class PgEventSignal implements EventSignal, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PgEventSignal.class);
    private static final int POLL_MILLIS = 500;
    private static final int RECONNECT_MILLIS = 1_000;

    private final Database database;
    private final LocalEventSignal local;
    private final String origin = UUID.randomUUID().toString();
    private final Thread listener;
    private volatile boolean running = true;

    private PgEventSignal(Database database, LocalEventSignal local) {
        this.database = database;
        this.local = local;
        this.listener = new Thread(this::listen, "event-signal-listener");
        this.listener.setDaemon(true);
    }

    /** Starts listening on {@code database}'s server; returns at once (the first connection is made in the thread). */
    public static PgEventSignal start(Database database) {
        Objects.requireNonNull(database, "database");
        PgEventSignal signal = new PgEventSignal(database, LocalEventSignal.create());
        signal.listener.start();
        return signal;
    }

    /** What this instance's writer sends as the payload of its notifications; unique per signal. */
    public String origin() {
        return origin;
    }

    @Override
    public void wake() {
        local.wake();
    }

    @Override
    public boolean awaitNext(Duration max) throws InterruptedException {
        return local.awaitNext(max);
    }

    private void listen() {
        while (running) {
            try (Connection connection = connect(); Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + JdbiWebhookEventStore.CHANNEL);
                local.wake();
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (fromElsewhere(notifications, origin)) {
                        local.wake();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                LOG.warn("listening for stored webhook events failed ({}); retrying in {} ms",
                        e.getClass().getSimpleName(), RECONNECT_MILLIS);
                try {
                    Thread.sleep(RECONNECT_MILLIS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** True when one of {@code notifications} (null when none came) was not sent with {@code origin}. */
    static boolean fromElsewhere(PGNotification[] notifications, String origin) {
        return notifications != null && Arrays.stream(notifications)
                .anyMatch(notification -> !origin.equals(notification.getParameter()));
    }

    private Connection connect() throws SQLException {
        // a read stuck longer than 30 s is a dead network: fail and reconnect
        return database.openDedicatedConnection("switchboard-event-signal", 30);
    }

    /** Stops the listener (within about half a second) and closes its connection. Idempotent. */
    @Override
    public void close() {
        running = false;
        try {
            listener.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
