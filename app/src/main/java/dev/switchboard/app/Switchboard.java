package dev.switchboard.app;

import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.apikey.ApiKeyAuthenticator;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.config.Configuration;
import dev.switchboard.core.config.DatabaseConfig;
import dev.switchboard.core.config.Secret;
import dev.switchboard.core.push.PushPublisher;
import dev.switchboard.http.AppKeyCheck;
import dev.switchboard.http.HttpServer;
import dev.switchboard.http.HttpSettings;
import dev.switchboard.http.PushSettings;
import dev.switchboard.http.PushSocket;
import dev.switchboard.http.RouteGroup;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.EmbeddedDatabase;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.PostgresPushChannel;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Switchboard: the wiring of every adapter with plain constructors. {@link #start} resolves the sandbox
 * secrets, starts the embedded PostgreSQL or reaches the external one, applies the migrations, and starts the HTTP
 * server; {@link #close()} stops them in the reverse order.
 *
 * <p>Start-up failures are {@link SwitchboardException}s with one clear message each (for example
 * {@link dev.switchboard.core.StoreUnavailableException} when the database cannot be reached); whatever was
 * already started is stopped first. Not thread-safe to start and close concurrently.
 */
public final class Switchboard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Switchboard.class);
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(10);

    private final Configuration configuration;
    private final Optional<EmbeddedDatabase> embedded;
    private final Database database;
    private final PostgresPushChannel push;
    private final PushSocket pushSocket;
    private final HttpServer http;

    private Switchboard(Configuration configuration, Optional<EmbeddedDatabase> embedded, Database database,
                        PostgresPushChannel push, PushSocket pushSocket, HttpServer http) {
        this.configuration = configuration;
        this.embedded = embedded;
        this.database = database;
        this.push = push;
        this.pushSocket = pushSocket;
        this.http = http;
    }

    /** Starts with a fresh {@link SecureRandom}; see {@link #start(Configuration, SecureRandom)}. */
    public static Switchboard start(Configuration configuration) {
        return start(configuration, new SecureRandom());
    }

    /** Starts everything {@code configuration} describes on the system clock; see {@link #start(Configuration, SecureRandom, Clock)}. */
    public static Switchboard start(Configuration configuration, SecureRandom random) {
        return start(configuration, random, Clock.systemUTC());
    }

    /**
     * Starts everything {@code configuration} describes; returns once the HTTP server accepts connections.
     * {@code clock} is what every service reads the time from (tests move it to expire flows).
     */
    public static Switchboard start(Configuration configuration, SecureRandom random, Clock clock) {
        return start(configuration, random, clock, PushSettings.DEFAULTS);
    }

    /** As {@link #start(Configuration, SecureRandom, Clock)}, with the given {@code /ws} timings (tests shorten). */
    static Switchboard start(Configuration configuration, SecureRandom random, Clock clock,
                             PushSettings pushSettings) {
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(pushSettings, "pushSettings");
        Configuration resolved = SandboxSecrets.resolve(configuration, random);

        Optional<EmbeddedDatabase> embedded = Optional.empty();
        DatabaseSettings settings;
        if (resolved.database() instanceof DatabaseConfig.Embedded local) {
            EmbeddedDatabase started = EmbeddedDatabase.start(local.dataDirectory());
            embedded = Optional.of(started);
            settings = started.settings(local.maxClients());
            LOG.info("embedded PostgreSQL keeps its data in {} and listens on localhost:{}",
                    started.dataDirectory(), started.port());
        } else {
            DatabaseConfig.External external = (DatabaseConfig.External) resolved.database();
            settings = new DatabaseSettings(external.jdbcUrl(), external.user(),
                    external.password().map(Secret::value), external.maxClients(), CONNECTION_TIMEOUT);
        }

        Database database;
        try {
            database = Database.open(settings);
        } catch (RuntimeException e) {
            embedded.ifPresent(EmbeddedDatabase::close);
            throw e;
        }
        LOG.info("database {} is reachable and migrated", settings.describe());

        List<RouteGroup> routes;
        try {
            routes = new ArrayList<>(OAuthWiring.routes(resolved, database, random, clock));
        } catch (RuntimeException e) {
            database.close();
            embedded.ifPresent(EmbeddedDatabase::close);
            throw e;
        }

        // every instance listens, its own publishes included: that is the one path a push takes to a socket
        PostgresPushChannel push = PostgresPushChannel.start(database, clock);
        JdbiApiKeyStore apiKeyStore = JdbiApiKeyStore.create(database);
        AppKeyCheck appKeys = AppKeyCheck.of(ApiKeyAuthenticator.create(ApiKeys.create(random), apiKeyStore),
                apiKeyStore);
        PushSocket pushSocket = PushSocket.create(appKeys, push, pushSettings);
        routes.add(pushSocket);

        HttpServer http;
        try {
            http = HttpServer.start(HttpSettings.of(resolved.host(), resolved.port()), routes);
        } catch (RuntimeException e) {
            pushSocket.close();
            push.close();
            database.close();
            embedded.ifPresent(EmbeddedDatabase::close);
            throw new SwitchboardException("could not listen on " + resolved.host() + ":" + resolved.port()
                    + ": " + e.getClass().getSimpleName(), e);
        }
        LOG.info("Switchboard ({}) listening on {}:{}, public URL {}", resolved.environment().code(),
                resolved.host(), http.port(), resolved.publicBaseUrl());
        return new Switchboard(resolved, embedded, database, push, pushSocket, http);
    }

    /** The port the HTTP server listens on (the chosen one when started on port 0). */
    public int port() {
        return http.port();
    }

    /** The configuration in use, generated sandbox secrets included. */
    public Configuration configuration() {
        return configuration;
    }

    /** Where processed events are published for every instance's {@code /ws} clients. */
    PushPublisher pushPublisher() {
        return push;
    }

    /** WebSocket clients connected to this instance now; a gauge for metrics. */
    public int openPushSockets() {
        return pushSocket.openSockets();
    }

    /**
     * Closes the push sockets (1001) and stops their upkeep, then the HTTP server, the push listener, the pool, and
     * the embedded PostgreSQL if there is one.
     */
    @Override
    public void close() {
        try {
            pushSocket.close();
            http.close();
        } finally {
            try {
                push.close();
                database.close();
            } finally {
                embedded.ifPresent(EmbeddedDatabase::close);
            }
        }
        LOG.info("Switchboard stopped");
    }
}
