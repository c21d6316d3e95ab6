package dev.switchboard.app;

import dev.switchboard.core.SwitchboardException;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.app.config.DialpadConfig;
import dev.switchboard.app.config.ProcessingConfig;
import dev.switchboard.core.secrets.Secret;
import dev.switchboard.core.oauth.TokenRefresher;
import dev.switchboard.core.push.PushPublisher;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.core.webhook.EventProcessor;
import dev.switchboard.dialpad.DialpadClientSettings;
import dev.switchboard.dialpad.DialpadEndpoints;
import dev.switchboard.dialpad.NimbusDialpadClient;
import dev.switchboard.http.AppAuthenticator;
import dev.switchboard.http.HttpServer;
import dev.switchboard.http.HttpSettings;
import dev.switchboard.http.Metrics;
import dev.switchboard.http.PushSettings;
import dev.switchboard.http.PushSocket;
import dev.switchboard.http.RouteGroup;
import dev.switchboard.http.WebhookRejectionAudit;
import dev.switchboard.http.WebhookRoutes;
import dev.switchboard.http.WebhookSecretCache;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.EmbeddedDatabase;
import dev.switchboard.persistence.JdbiAuditLog;
import dev.switchboard.persistence.JdbiConnectionStore;
import dev.switchboard.persistence.PostgresPushChannel;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Switchboard: the wiring of every adapter with plain constructors. {@link #start} resolves the sandbox
 * secrets, starts the embedded PostgreSQL or reaches the external one, applies the migrations, starts the HTTP
 * server and, when a Dialpad OAuth client is configured, the background {@link TokenRefresher} (one per instance,
 * its concurrency from {@code REFRESH_CONCURRENCY}); {@link #close()} stops them in the reverse order.
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
    /** Empty when a host started the server without its own port. */
    private final Optional<HttpServer> http;
    private final EdgeWiring edge;
    private final AppAuthenticator appAuthenticator;
    private final EventPipeline events;
    private final PostgresPushChannel push;
    private final PushSocket pushSocket;
    private final Optional<TokenRefresher> refresher;
    private final InboxMeters inboxMeters;
    private final RetentionSchedule retention;
    private final Resealing resealing;

    private Switchboard(Configuration configuration, Optional<EmbeddedDatabase> embedded, Database database,
                        Optional<HttpServer> http, EdgeWiring edge, AppAuthenticator appAuthenticator,
                        EventPipeline events, PostgresPushChannel push, PushSocket pushSocket,
                        Optional<TokenRefresher> refresher, InboxMeters inboxMeters, RetentionSchedule retention,
                        Resealing resealing) {
        this.configuration = configuration;
        this.embedded = embedded;
        this.database = database;
        this.http = http;
        this.edge = edge;
        this.appAuthenticator = appAuthenticator;
        this.events = events;
        this.push = push;
        this.pushSocket = pushSocket;
        this.refresher = refresher;
        this.inboxMeters = inboxMeters;
        this.retention = retention;
        this.resealing = resealing;
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
        return start(configuration, ProcessingConfig.DEFAULTS, random, clock);
    }

    /** Starts everything, with {@code processing} saying how many event workers this instance runs. */
    public static Switchboard start(Configuration configuration, ProcessingConfig processing, SecureRandom random) {
        return start(configuration, processing, random, Clock.systemUTC());
    }

    /**
     * Starts everything {@code configuration} describes, with {@code processing} event workers and every service
     * reading the time from {@code clock}; returns once the HTTP server accepts connections.
     */
    public static Switchboard start(Configuration configuration, ProcessingConfig processing, SecureRandom random,
                                    Clock clock) {
        return start(configuration, processing, random, clock, PushSettings.DEFAULTS);
    }

    /** As {@link #start(Configuration, ProcessingConfig, SecureRandom, Clock)}, with the given {@code /ws} timings. */
    static Switchboard start(Configuration configuration, ProcessingConfig processing, SecureRandom random,
                             Clock clock, PushSettings pushSettings) {
        return start(configuration, processing, RefresherConfig.defaults(), random, clock, pushSettings);
    }

    /** Starts with default event processing and {@code refresher} for the background token refresh. */
    public static Switchboard start(Configuration configuration, RefresherConfig refresher, SecureRandom random) {
        return start(configuration, ProcessingConfig.DEFAULTS, refresher, random, Clock.systemUTC());
    }

    /**
     * Starts everything {@code configuration} describes, with {@code processing} event workers, the background token
     * refresher as {@code refresherConfig} says, and every service reading the time from {@code clock}; returns once
     * the HTTP server accepts connections.
     */
    public static Switchboard start(Configuration configuration, ProcessingConfig processing,
                                    RefresherConfig refresherConfig, SecureRandom random, Clock clock) {
        return start(configuration, processing, refresherConfig, random, clock, PushSettings.DEFAULTS);
    }

    /** Everything above, with the given {@code /ws} timings. */
    static Switchboard start(Configuration configuration, ProcessingConfig processing,
                             RefresherConfig refresherConfig, SecureRandom random, Clock clock,
                             PushSettings pushSettings) {
        return start(configuration, processing, refresherConfig, random, clock, pushSettings, Hosting.OWN);
    }

    /**
     * The full start, the one wiring of the server process and of {@link EmbeddedSwitchboard}: everything above, on
     * the database, meter registry and port {@code hosting} says.
     */
    static Switchboard start(Configuration configuration, ProcessingConfig processing,
                             RefresherConfig refresherConfig, SecureRandom random, Clock clock,
                             PushSettings pushSettings, Hosting hosting) {
        Objects.requireNonNull(hosting, "hosting");
        Objects.requireNonNull(refresherConfig, "refresherConfig");
        Objects.requireNonNull(pushSettings, "pushSettings");
        Objects.requireNonNull(configuration, "configuration");
        Objects.requireNonNull(processing, "processing");
        Objects.requireNonNull(random, "random");
        Objects.requireNonNull(clock, "clock");
        Configuration resolved = SandboxSecrets.resolve(configuration, random);

        Optional<EmbeddedDatabase> embedded;
        Database database;
        if (hosting.dataSource().isPresent()) {
            embedded = Optional.empty();
            database = Database.attach(hosting.dataSource().get(), hosting.schema(), hosting.historyTable());
            LOG.info("schema {} of the host's database is migrated", hosting.schema());
        } else {
            OwnDatabase opened = openOwnDatabase(resolved, random);
            embedded = opened.embedded();
            database = opened.database();
        }
        Resealing resealing;
        try {
            // before anything reads a sealed row: a ring that cannot open what is stored is a configuration error
            resealing = Resealing.check(resolved, database, random);
        } catch (RuntimeException e) {
            database.close();
            embedded.ifPresent(EmbeddedDatabase::close);
            throw e;
        }

        List<RouteGroup> routes;
        ApiWiring api;
        EventPipeline events = null;
        // every instance listens, its own publishes included: that is the one path a push takes to a socket
        PostgresPushChannel push = PostgresPushChannel.start(database, clock);
        PushSocket pushSocket = null;
        try {
            events = EventPipeline.start(resolved, processing, database, push.dataVersions(), clock, random);
            routes = new ArrayList<>(OAuthWiring.routes(resolved, database, random, clock));
            routes.addAll(AdministrationWiring.routes(resolved, database, events.secrets(), random, clock));
            api = ApiWiring.create(resolved, database, push.dataVersions(), random, clock);
            routes.addAll(api.routes());
            routes.add(events.routes());
            routes.add(resealing.routes());
            pushSocket = PushSocket.create(api.authenticator()::check, push,
                    pushSettings.withMaxSocketsPerApp(resolved.edgeLimits().maxSocketsPerApp()));
            routes.add(pushSocket);
        } catch (RuntimeException e) {
            if (pushSocket != null) {
                pushSocket.close();
            }
            if (events != null) {
                events.close();
            }
            push.close();
            database.close();
            embedded.ifPresent(EmbeddedDatabase::close);
            throw e;
        }

        EdgeWiring edge = EdgeWiring.build(resolved, database,
                hosting.meterRegistry().map(Metrics::alsoRecordingIn).orElseGet(Metrics::create), clock);
        PushSocket sockets = pushSocket;
        edge.metrics().registry().gauge("switchboard_push_sockets_open", sockets, PushSocket::openSockets);
        registerWebhookOutcomes(edge.metrics().registry(), events.routes());
        Optional<HttpServer> http = Optional.empty();
        try {
            if (hosting.http()) {
                HttpSettings listening = HttpSettings.of(resolved.host(), resolved.port())
                        .withMaxConnectionsPerClient(resolved.edgeLimits().maxConnectionsPerClient());
                http = Optional.of(HttpServer.start(listening, edge.policy(), routes));
            }
        } catch (RuntimeException e) {
            pushSocket.close();
            edge.close();
            events.close();
            push.close();
            database.close();
            embedded.ifPresent(EmbeddedDatabase::close);
            throw new SwitchboardException("could not listen on " + resolved.host() + ":" + resolved.port()
                    + ": " + e.getClass().getSimpleName(), e);
        }
        if (http.isPresent()) {
            LOG.info("Switchboard ({}) listening on {}:{}, public URL {}", resolved.environment().code(),
                    resolved.host(), http.get().port(), resolved.publicBaseUrl());
        } else {
            LOG.info("Switchboard ({}) started without a port of its own, public URL {}",
                    resolved.environment().code(), resolved.publicBaseUrl());
        }

        Optional<TokenRefresher> refresher;
        try {
            refresher = startRefresher(resolved, refresherConfig, database, random, clock);
        } catch (RuntimeException e) {
            pushSocket.close();
            http.ifPresent(HttpServer::close);
            events.close();
            push.close();
            edge.close();
            database.close();
            embedded.ifPresent(EmbeddedDatabase::close);
            throw e;
        }
        refresher.ifPresent(running -> registerRefreshOutcomes(edge.metrics().registry(), running));
        InboxMeters inboxMeters = InboxMeters.start(events::counts, edge.metrics().registry(), clock);
        RetentionSchedule retention = RetentionSchedule.start(RetentionSchedule.jobs(resolved, database, clock,
                random));
        resealing.start(edge.metrics().registry());
        return new Switchboard(resolved, embedded, database, http, edge, api.authenticator(), events, push,
                pushSocket, refresher, inboxMeters, retention, resealing);
    }

    /** The database of the configuration: the embedded PostgreSQL of sandbox, started here, or an external one. */
    private static OwnDatabase openOwnDatabase(Configuration resolved, SecureRandom random) {
        Optional<EmbeddedDatabase> embedded = Optional.empty();
        DatabaseSettings settings;
        if (resolved.database() instanceof DatabaseConfig.Embedded local) {
            EmbeddedDatabase started = EmbeddedDatabase.start(local.dataDirectory(),
                    SandboxSecrets.embeddedDatabasePassword(resolved.dataDirectory(), random));
            embedded = Optional.of(started);
            settings = started.settings(local.maxClients());
            LOG.info("embedded PostgreSQL keeps its data in {} and listens on localhost:{}",
                    started.dataDirectory(), started.port());
        } else if (resolved.database() instanceof DatabaseConfig.External external) {
            settings = new DatabaseSettings(external.jdbcUrl(), external.user(),
                    external.password().map(Secret::value), external.maxClients(), CONNECTION_TIMEOUT);
        } else {
            throw new IllegalStateException("unexpected database " + resolved.database().getClass().getName());
        }

        Database database;
        try {
            database = Database.open(settings);
        } catch (RuntimeException e) {
            embedded.ifPresent(EmbeddedDatabase::close);
            throw e;
        }
        LOG.info("database {} is reachable and migrated", settings.describe());
        return new OwnDatabase(database, embedded);
    }

    private record OwnDatabase(Database database, Optional<EmbeddedDatabase> embedded) {
    }

    /**
     * {@code switchboard_webhook_events_total{outcome}}: what became of each delivery that reached the routes;
     * {@code switchboard_webhook_rejections_total{reason,route}}: the rejected ones by why and by route template.
     */
    private static void registerWebhookOutcomes(MeterRegistry registry, WebhookRoutes routes) {
        for (WebhookRoutes.Outcome outcome : WebhookRoutes.Outcome.values()) {
            FunctionCounter.builder("switchboard_webhook_events", routes, counted -> counted.count(outcome))
                    .description("Webhook deliveries by outcome").tag("outcome", outcome.tag()).register(registry);
        }
        for (String reason : WebhookRoutes.rejectionReasons()) {
            for (String route : WebhookRoutes.ROUTES) {
                FunctionCounter.builder("switchboard_webhook_rejections", routes,
                                counted -> counted.rejections(reason, route))
                        .description("Rejected webhook deliveries by reason and route, answered 4xx or 429")
                        .tag("reason", reason).tag("route", route).register(registry);
            }
        }
    }

    /**
     * {@code switchboard_token_refreshes_total{outcome}}: the background refresher's results on this instance, and
     * {@code switchboard_refresh_without_new_refresh_token_total}: those of them Dialpad answered without a new
     * refresh token.
     */
    private static void registerRefreshOutcomes(MeterRegistry registry, TokenRefresher refresher) {
        Map<String, ToDoubleFunction<TokenRefresher>> outcomes = new LinkedHashMap<>();
        outcomes.put("refreshed", r -> r.snapshot().refreshed());
        outcomes.put("failed", r -> r.snapshot().failed());
        outcomes.put("needs_reconnect", r -> r.snapshot().needsReconnect());
        outcomes.put("tokens_lost", r -> r.snapshot().tokensLost());
        outcomes.put("lease_lost", r -> r.snapshot().leasesLost());
        outcomes.put("skipped", r -> r.snapshot().skipped());
        outcomes.forEach((outcome, count) -> FunctionCounter.builder("switchboard_token_refreshes", refresher, count)
                .description("Background token refreshes by outcome").tag("outcome", outcome).register(registry));
        // not an outcome of its own: such a refresh is also counted as refreshed
        FunctionCounter.builder("switchboard_refresh_without_new_refresh_token", refresher,
                        r -> r.snapshot().keptRefreshToken())
                .description("Refreshes Dialpad answered without a new refresh token (the current one is kept)")
                .register(registry);
    }

    /**
     * Starts refreshing every connection in the background, when there is a Dialpad client to refresh with: without
     * one no connection can exist (sandbox without {@code DIALPAD_SANDBOX_CLIENT_ID}).
     */
    private static Optional<TokenRefresher> startRefresher(Configuration configuration, RefresherConfig config,
                                                           Database database, SecureRandom random, Clock clock) {
        DialpadConfig dialpad = configuration.dialpad();
        if (dialpad.client().isEmpty()) {
            LOG.info("no Dialpad OAuth client configured: background token refresh is off");
            return Optional.empty();
        }
        DialpadConfig.Client client = dialpad.client().get();
        NimbusDialpadClient server = NimbusDialpadClient.create(DialpadClientSettings.of(
                new DialpadEndpoints(dialpad.baseUrl()), client.clientId(), client.clientSecret().value(),
                dialpad.redirectUri()));
        SecretCipher cipher = SecretCipher.fromKeyRing(
                configuration.secrets().requireTokenEncryptionKey().value(), random);
        TokenRefresher refresher = TokenRefresher.create(JdbiConnectionStore.create(database, cipher), server,
                config.policy(), JdbiAuditLog.create(database), clock, random,
                TokenRefresher.uniqueOwner(hostName()), config.settings());
        refresher.start();
        return Optional.of(refresher);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "switchboard";
        }
    }

    /** The background token refresher, when one runs (a Dialpad client is configured). */
    public Optional<TokenRefresher> refresher() {
        return refresher;
    }

    /**
     * The port the HTTP server listens on (the chosen one when started on port 0).
     *
     * @throws IllegalStateException when a host started the server without a port of its own
     */
    public int port() {
        return listening().port();
    }

    /** Every HTTP route the server registered, as {@code "METHOD /path"} (see {@link HttpServer#httpRoutes()}). */
    List<String> httpRoutes() {
        return listening().httpRoutes();
    }

    /** Whether this server listens on a port of its own. */
    boolean hasPort() {
        return http.isPresent();
    }

    private HttpServer listening() {
        return http.orElseThrow(() -> new IllegalStateException("this server was started without HTTP"));
    }

    /** The metrics served at {@code /metrics}; components register their meters on its registry. */
    public Metrics metrics() {
        return edge.metrics();
    }

    /** The database this instance's stores use. */
    Database database() {
        return database;
    }

    /** The retention jobs this instance runs hourly. */
    RetentionSchedule retention() {
        return retention;
    }

    /** The inbound event gauges of {@code /metrics}. */
    InboxMeters inboxMeters() {
        return inboxMeters;
    }

    /** The event processor of this instance (running only when it has event workers). */
    EventProcessor eventProcessor() {
        return events.processor();
    }

    /** The per-app webhook secrets of this instance's webhook path, for its counters. */
    WebhookSecretCache webhookSecrets() {
        return events.secrets();
    }

    /** Where this instance counts rejected webhook deliveries into the audit trail. */
    WebhookRejectionAudit webhookRejectionAudit() {
        return events.rejectionAudit();
    }

    /** The cached API key check of this instance (the one {@code /api/*} uses), for its counters. */
    AppAuthenticator appAuthenticator() {
        return appAuthenticator;
    }

    /** The configuration in use, generated sandbox secrets included. */
    public Configuration configuration() {
        return configuration;
    }

    /** Where processed events are published for every instance's {@code /ws} clients. */
    PushPublisher pushPublisher() {
        return push;
    }

    /** WebSocket clients connected to this instance now (also the gauge {@code switchboard_push_sockets_open}). */
    public int openPushSockets() {
        return pushSocket.openSockets();
    }

    /** WebSocket clients of the app {@code appId} connected to this instance now. */
    public int openPushSockets(UUID appId) {
        return pushSocket.openSockets(appId);
    }

    /**
     * The graceful stop a SIGTERM asks for: {@code /ready} answers 503 at once, every request is still served for
     * {@code SHUTDOWN_DRAIN_SECONDS} (the time a load balancer takes to notice), then {@link #close()} lets the
     * requests in flight finish, writes every webhook event the intake accepted and releases the events handed to
     * this instance's processor.
     */
    public void drainAndClose() {
        Duration drain = configuration.operations().shutdownDrain();
        http.ifPresent(HttpServer::drain);
        LOG.info("shutting down: /ready answers 503, requests are served for {} more second(s)", drain.toSeconds());
        try {
            Thread.sleep(drain.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /**
     * The JVM shutdown hook of a server process: {@link #drainAndClose()}, then the process ends with status 0, the
     * status of a stop that lost nothing (a JVM ended by SIGTERM reports 143 otherwise, which orchestrators count as a
     * failure). A stop that fails leaves the JVM's own status.
     */
    public Thread shutdownHook() {
        return new Thread(() -> {
            drainAndClose();
            Runtime.getRuntime().halt(0);
        }, "switchboard-shutdown");
    }

    /**
     * Stops the token refresher (letting refreshes in flight finish), closes the push sockets (1001), stops the
     * HTTP server and the event processing, then the push listener, the pool, and the embedded PostgreSQL if there
     * is one.
     */
    @Override
    public void close() {
        try {
            inboxMeters.close();
            retention.close();
            resealing.close();
            // first, so refreshes in flight still have the database to store their rotated tokens in
            refresher.ifPresent(TokenRefresher::close);
            pushSocket.close();
            http.ifPresent(HttpServer::close);
            events.close();
        } finally {
            try {
                push.close();
                edge.close();
                database.close();
            } finally {
                embedded.ifPresent(EmbeddedDatabase::close);
            }
        }
        LOG.info("Switchboard stopped");
    }
}
