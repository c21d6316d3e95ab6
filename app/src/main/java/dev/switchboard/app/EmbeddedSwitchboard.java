package dev.switchboard.app;

import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apps.AppAdministration;
import dev.switchboard.core.config.Configuration;
import dev.switchboard.core.config.ProcessingConfig;
import dev.switchboard.http.PushSettings;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.JdbiAuditLog;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Clock;
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
 *         .configuration(configuration)
 *         .start()) {
 *     int port = switchboard.port().orElseThrow();
 * }
 * }</pre>
 *
 * <p>The configuration's database part is not used (the host's data source is); its secrets must be set, or in
 * sandbox they are generated into its data directory as the server does. The runners (event workers, token
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

    private final Switchboard server;
    private final Database database;
    private final Clock clock;
    private final SecureRandom random;

    private EmbeddedSwitchboard(Switchboard server, Database database, Clock clock, SecureRandom random) {
        this.server = server;
        this.database = database;
        this.clock = clock;
        this.random = random;
    }

    /** A builder; {@link Builder#dataSource} and {@link Builder#configuration} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The port the server listens on (the chosen one when configured with port 0); empty when started without HTTP. */
    public OptionalInt port() {
        return server.hasPort() ? OptionalInt.of(server.port()) : OptionalInt.empty();
    }

    /** The configuration in use, generated sandbox secrets included. */
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

        /**
         * The server's settings: listen address, public URL, Dialpad client, secrets, limits. Its database part is
         * not used. Required.
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
            if (configuration == null) {
                throw new IllegalStateException("an embedded Switchboard needs its configuration");
            }
            SecureRandom chosen = random != null ? random : new SecureRandom();
            Hosting hosting = new Hosting(Optional.of(dataSource), schema, historyTable,
                    Optional.ofNullable(meterRegistry), http);
            Switchboard server = Switchboard.start(configuration, processing, refresher, chosen, clock,
                    PushSettings.DEFAULTS, hosting);
            return new EmbeddedSwitchboard(server, server.database(), clock, chosen);
        }
    }
}
