package dev.switchboard.app;

import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apps.AppAdministration;
import dev.switchboard.app.config.AppEnvironment;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.ConfigurationReader;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.app.config.DialpadConfig;
import dev.switchboard.http.IpRange;
import dev.switchboard.app.config.LoggingConfig;
import dev.switchboard.app.config.ProcessingConfig;
import dev.switchboard.http.RateLimitConfig;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.http.PushSettings;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiAuditLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import javax.sql.DataSource;

/**
 * The whole Switchboard server inside a host's JVM service, on the host's own {@link DataSource}, {@link MeterRegistry}
 * and {@link Clock}. Switchboard's tables live in a schema of their own ({@value #DEFAULT_SCHEMA} unless told
 * otherwise) with a Flyway history table of their own ({@value #DEFAULT_HISTORY_TABLE}), so the host's own
 * {@code db/migration} and {@code flyway_schema_history} are never touched. The server either opens its own HTTP port
 * (the configuration's host and port; the routes of the contract) or none, and the host calls the services directly.
 *
 * <pre>{@code
 * try (EmbeddedSwitchboard switchboard = EmbeddedSwitchboard.builder()
 *         .dataSource(hostPool).meterRegistry(hostRegistry).clock(Clock.systemUTC())
 *         .listen("127.0.0.1", 8090).publicBaseUrl(URI.create("https://crm.example.com")).secrets(secrets)
 *         .start()) {
 *     int port = switchboard.port().orElseThrow();
 * }
 * }</pre>
 *
 * <p>The settings are the server's own value types, given one by one or as a whole {@link Configuration} (whose
 * database part is then not used: the host's data source is). Secrets must be set, or in sandbox they are generated
 * into the data directory as the server does. The runners (event workers, token
 * refresher, retention, the push listener) start with the server; two of them (the push listener and the stored-event
 * signal) each keep one connection of the host's pool while it runs. {@link #close()} stops all of it and the port; it
 * leaves the host's data source and registry open, with Switchboard's meters taken out of the registry.
 * Not thread-safe to start and close concurrently.
 */
public final class EmbeddedSwitchboard implements AutoCloseable {
    /** The schema Switchboard's tables live in unless {@link Builder#schema} says otherwise. */
    public static final String DEFAULT_SCHEMA = "switchboard";
    /** Switchboard's Flyway history table in that schema unless {@link Builder#historyTable} says otherwise. */
    public static final String DEFAULT_HISTORY_TABLE = "switchboard_schema_history";

    /**
     * The database part of a configuration the builder makes: the record needs one (the server process reads it), an
     * embedded server uses the host's data source instead.
     */
    private static final DatabaseConfig HOSTED = new DatabaseConfig.External("jdbc:postgresql://host-data-source/",
            Optional.empty(), Optional.empty(), 1);

    private final Switchboard server;
    private final Database database;
    private final Clock clock;
    private final SecureRandom random;
    private boolean closed;

    private EmbeddedSwitchboard(Switchboard server, Database database, Clock clock, SecureRandom random) {
        this.server = server;
        this.database = database;
        this.clock = clock;
        this.random = random;
    }

    /**
     * A builder; the host's {@link Builder#dataSource}, and the {@link Builder#publicBaseUrl} and
     * {@link Builder#secrets} (or a whole {@link Builder#configuration}) are required.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** The port the server listens on (the chosen one when configured with port 0); empty when started without HTTP. */
    public OptionalInt port() {
        return server.hasPort() ? OptionalInt.of(server.port()) : OptionalInt.empty();
    }

    /**
     * The configuration in use, generated sandbox secrets included. When the builder made it from its parts, its
     * database part names no server (the host's data source is used).
     */
    public Configuration configuration() {
        return server.configuration();
    }

    /**
     * Creating apps and issuing their API keys, audited, on Switchboard's tables: what {@code POST /internal/apps}
     * does, for a host that administers apps itself.
     */
    public AppAdministration administration() {
        return AppAdministration.create(JdbiAppStore.create(database, clock), ApiKeys.create(random),
                JdbiApiKeyStore.create(database), JdbiAuditLog.create(database), clock);
    }

    /** Stops the runners and the port; the host's data source and meter registry stay open. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.close();
    }

    /**
     * What to embed and on what. Reusable: each {@link #start()} starts a server of its own. Not thread-safe.
     */
    public static final class Builder {
        private DataSource dataSource;
        private MeterRegistry meterRegistry;
        private Clock clock = Clock.systemUTC();
        private SecureRandom random;
        private String schema = DEFAULT_SCHEMA;
        private String historyTable = DEFAULT_HISTORY_TABLE;
        private Configuration configuration;
        private AppEnvironment environment = AppEnvironment.SANDBOX;
        private String host = "127.0.0.1";
        private int port;
        private URI publicBaseUrl;
        private Optional<DialpadConfig.Client> dialpadClient = Optional.empty();
        private Secrets secrets;
        private Path dataDirectory = Configuration.DEFAULT_DATA_DIRECTORY;
        private ProcessingConfig processing = ProcessingConfig.DEFAULTS;
        private RefresherConfig refresher = RefresherConfig.defaults();
        private boolean http = true;

        private Builder() {
        }

        /** The host's pool; Switchboard borrows its connections and never closes it. Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Where Switchboard's meters ({@code switchboard_*}) are recorded; by default only on {@code /metrics}. */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        /** What every service reads the time from; the system's UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where keys, states and verifiers come from; a fresh {@link SecureRandom} by default. */
        public Builder random(SecureRandom random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /** The schema of Switchboard's tables: a lower-case SQL identifier; {@value #DEFAULT_SCHEMA} by default. */
        public Builder schema(String schema) {
            this.schema = Objects.requireNonNull(schema, "schema");
            return this;
        }

        /**
         * Switchboard's Flyway history table in its schema: a lower-case SQL identifier;
         * {@value #DEFAULT_HISTORY_TABLE} by default.
         */
        public Builder historyTable(String historyTable) {
            this.historyTable = Objects.requireNonNull(historyTable, "historyTable");
            return this;
        }

        /** Sandbox (the default) or production: which Dialpad host, and how strict the settings must be. */
        public Builder environment(AppEnvironment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** Where the server's own port listens; {@code 127.0.0.1} and 0 (a free port) by default. */
        public Builder listen(String host, int port) {
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        /**
         * How Dialpad and browsers reach the server's routes, without a trailing slash; the OAuth callback is
         * {@code /auth/dialpad/callback} under it. Required unless {@link #configuration} is given.
         */
        public Builder publicBaseUrl(URI publicBaseUrl) {
            this.publicBaseUrl = Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
            return this;
        }

        /** The OAuth client registered at Dialpad; without one {@code /auth/dialpad/*} answers 503. */
        public Builder dialpadClient(DialpadConfig.Client client) {
            this.dialpadClient = Optional.of(Objects.requireNonNull(client, "client"));
            return this;
        }

        /** The server's own secrets. Required unless {@link #configuration} is given. */
        public Builder secrets(Secrets secrets) {
            this.secrets = Objects.requireNonNull(secrets, "secrets");
            return this;
        }

        /** Where sandbox keeps generated secrets; {@code ./data} by default. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /**
         * Every setting at once, as the server process has them (listen address, public URL, Dialpad, secrets,
         * limits, CORS, ...), instead of the parts above. Its database part is not used.
         */
        public Builder configuration(Configuration configuration) {
            this.configuration = Objects.requireNonNull(configuration, "configuration");
            return this;
        }

        /** How many event workers run; {@link ProcessingConfig#DEFAULTS} by default. */
        public Builder processing(ProcessingConfig processing) {
            this.processing = Objects.requireNonNull(processing, "processing");
            return this;
        }

        /** The background token refresh; {@link RefresherConfig#defaults()} by default. */
        public Builder refresher(RefresherConfig refresher) {
            this.refresher = Objects.requireNonNull(refresher, "refresher");
            return this;
        }

        /**
         * Whether the server opens its own HTTP port (the configuration's host and port, 0 for a free one); true by
         * default. Without it no route is served, and the host uses {@link EmbeddedSwitchboard#administration()}.
         */
        public Builder http(boolean http) {
            this.http = http;
            return this;
        }

        /**
         * Migrates Switchboard's schema, starts the runners and, if asked, the port; returns once all of it runs.
         *
         * @throws IllegalStateException                       when the data source or the configuration is missing
         * @throws IllegalArgumentException                    when the schema or history table is not a plain
         *                                                     lower-case identifier
         * @throws dev.switchboard.core.StoreUnavailableException when the database cannot be reached or a migration
         *                                                     fails
         * @throws dev.switchboard.core.SwitchboardException   when the port cannot be opened
         */
        public EmbeddedSwitchboard start() {
            if (dataSource == null) {
                throw new IllegalStateException("an embedded Switchboard needs the host's dataSource");
            }
            Configuration settings = settings();
            SecureRandom chosen = random != null ? random : new SecureRandom();
            Hosting hosting = new Hosting(Optional.of(dataSource), schema, historyTable,
                    Optional.ofNullable(meterRegistry), http);
            Switchboard server = Switchboard.start(settings, processing, refresher, chosen, clock,
                    PushSettings.DEFAULTS, hosting);
            return new EmbeddedSwitchboard(server, server.database(), clock, chosen);
        }

        private Configuration settings() {
            if (configuration != null) {
                return configuration;
            }
            if (publicBaseUrl == null || secrets == null) {
                throw new IllegalStateException("an embedded Switchboard needs its publicBaseUrl and secrets "
                        + "(or a whole configuration)");
            }
            boolean production = environment == AppEnvironment.PRODUCTION;
            DialpadConfig dialpad = new DialpadConfig(dialpadClient,
                    URI.create(publicBaseUrl + "/auth/dialpad/callback"),
                    URI.create(production ? ConfigurationReader.DEFAULT_PRODUCTION_BASE_URL
                            : ConfigurationReader.DEFAULT_SANDBOX_BASE_URL),
                    Arrays.asList(ConfigurationReader.DEFAULT_SCOPES.split(" ")));
            return new Configuration(environment, host, port, publicBaseUrl, dialpad, secrets, HOSTED,
                    List.<IpRange>of(), RateLimitConfig.DEFAULTS, LoggingConfig.DEFAULTS, Optional.empty(),
                    dataDirectory);
        }
    }
}
