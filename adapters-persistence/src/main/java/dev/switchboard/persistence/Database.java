package dev.switchboard.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.switchboard.core.StoreUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;

/**
 * The PostgreSQL database behind every store: a HikariCP pool of its own ({@link #open}) or a host's data source
 * with Switchboard's tables in a schema of their own ({@link #attach}), the Flyway migrations applied at start-up,
 * and the JDBI handle the stores share. Thread-safe; {@link #close()} releases the pool it opened, never a host's.
 */
public final class Database implements AutoCloseable {
    /**
     * Where the migrations are: not Flyway's default {@code db/migration}, which a service that embeds Switchboard
     * may use for its own (two V1s in one location would fail both).
     */
    private static final String MIGRATIONS = "classpath:db/switchboard/migration";
    /** The pool this database opened; null when it works on a host's data source. */
    private final HikariDataSource pool;
    /** The host's data source bound to Switchboard's schema; null when this database has a pool of its own. */
    private final SchemaSessions attached;
    private final DataSource dataSource;
    private final Jdbi jdbi;

    private Database(HikariDataSource pool, SchemaSessions attached) {
        this.pool = pool;
        this.attached = attached;
        this.dataSource = pool != null ? pool : attached;
        this.jdbi = Jdbi.create(dataSource).installPlugin(new PostgresPlugin());
    }

    /**
     * Opens a pool on {@code jdbcUrl} (user and password may be given separately or inside the URL), applies any
     * pending migration, and returns the database. Throws {@link StoreUnavailableException} when the server cannot
     * be reached or a migration fails; the message names the host, never the password.
     */
    public static Database open(DatabaseSettings settings) {
        Objects.requireNonNull(settings, "settings");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.jdbcUrl());
        settings.user().ifPresent(config::setUsername);
        settings.password().ifPresent(config::setPassword);
        config.setMaximumPoolSize(settings.maxPoolSize());
        config.setMinimumIdle(Math.min(2, settings.maxPoolSize()));
        config.setPoolName("switchboard");
        config.setConnectionTimeout(settings.connectionTimeout().toMillis());
        config.setInitializationFailTimeout(settings.connectionTimeout().toMillis());
        config.addDataSourceProperty("ApplicationName", "switchboard");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        /*
         * Plan each execution with its parameters and the table as it is now. The driver prepares a statement on the
         * server after a few executions, and PostgreSQL then keeps a generic plan, chosen once: on a new database the
         * tables are empty at that moment, so the plan is a sequential scan, and it stays one until an ANALYZE of the
         * table happens to invalidate it, while webhook_events and calls grow by thousands of rows a minute (the claim
         * of due events took 10 ms at 4,000 rows instead of 0.3 ms). Our statements are cheap to plan.
         */
        config.setConnectionInitSql("SET plan_cache_mode = force_custom_plan");
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("cannot reach PostgreSQL at " + settings.describe(), e);
        }
        try {
            migrate(settings);
        } catch (RuntimeException e) {
            dataSource.close();
            throw new StoreUnavailableException("migrating PostgreSQL at " + settings.describe() + " failed", e);
        }
        return new Database(dataSource, null);
    }

    /**
     * Switchboard's tables in the schema {@code schema} (created when missing) of the database behind a host's
     * {@code dataSource}, with a Flyway history table of their own, {@code historyTable}, in that schema: the host's
     * own migrations and their history (Flyway's default {@code flyway_schema_history}, in the host's schema) are
     * left alone. Applies any pending migration, then every connection the stores take from {@code dataSource} works
     * in {@code schema} and is handed back with the host's settings. The two listeners (pushes and stored events)
     * each keep one connection of the host's pool while the server runs. {@link #close()} leaves {@code dataSource}
     * open.
     *
     * @param schema       a lower-case SQL identifier, for example {@code switchboard}
     * @param historyTable a lower-case SQL identifier, for example {@code switchboard_schema_history}
     * @throws StoreUnavailableException when the database cannot be reached or a migration fails
     */
    public static Database attach(DataSource dataSource, String schema, String historyTable) {
        Objects.requireNonNull(dataSource, "dataSource");
        SchemaSessions sessions = new SchemaSessions(dataSource, schema);
        SchemaSessions.requireIdentifier(historyTable, "history table");
        try {
            Flyway.configure()
                    .dataSource(dataSource)
                    .connectRetries(0)
                    .locations(MIGRATIONS)
                    .validateMigrationNaming(true)
                    .schemas(schema)
                    .defaultSchema(schema)
                    .createSchemas(true)
                    .table(historyTable)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw new StoreUnavailableException("migrating Switchboard's schema " + schema + " failed", e);
        }
        return new Database(null, sessions);
    }

    /**
     * Applies the migrations under {@code db/switchboard/migration}; a second run on an up-to-date schema changes
     * nothing.
     * Flyway gets connections of its own rather than the pool's: it holds two at once (its lock and its work), which
     * would wait forever on a pool of one.
     */
    static void migrate(DatabaseSettings settings) {
        Flyway.configure()
                .dataSource(settings.jdbcUrl(), settings.user().orElse(null), settings.password().orElse(null))
                .connectRetries(0)
                .locations(MIGRATIONS)
                .validateMigrationNaming(true)
                .load()
                .migrate();
    }

    /** The JDBI instance the stores of this module use; never handed out of the adapter. */
    Jdbi jdbi() {
        return jdbi;
    }

    /** The pool, for health checks and metrics in this module. */
    DataSource dataSource() {
        return dataSource;
    }

    /**
     * A new connection outside the pool, for a listener that keeps it as long as it runs: {@code LISTEN} state
     * belongs to the session, and a pooled connection could be handed to someone else or recycled. A read blocked for
     * more than {@code socketTimeoutSeconds} fails, so a dead network is noticed. The caller closes it.
     */
    Connection openDedicatedConnection(String applicationName, int socketTimeoutSeconds) throws SQLException {
        if (attached != null) {
            // a host's data source may hold no URL or password: a connection of its pool, kept, is what there is
            return attached.borrowForListener(socketTimeoutSeconds);
        }
        Properties properties = new Properties();
        if (pool.getUsername() != null) {
            properties.setProperty("user", pool.getUsername());
        }
        if (pool.getPassword() != null) {
            properties.setProperty("password", pool.getPassword());
        }
        properties.setProperty("ApplicationName", applicationName);
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        return DriverManager.getConnection(pool.getJdbcUrl(), properties);
    }

    /** True when a connection can be borrowed and answers a trivial query within a second. */
    public boolean isReachable() {
        try (var connection = dataSource.getConnection()) {
            return connection.isValid(1);
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Has HikariCP record its own meters on {@code registry}: {@code hikaricp_connections} (total),
     * {@code _active}, {@code _idle}, {@code _pending}, {@code _max}, {@code _min}, {@code _timeout_total}, and the
     * acquire, usage and creation times, each tagged {@code pool="switchboard"}. Once per database. Nothing on a
     * host's data source ({@link #attach}): its pool is the host's to measure.
     */
    public void recordPoolMeters(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (pool == null) {
            return;
        }
        pool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    }

    /**
     * How the pool is used right now, for metrics: connections in use, idle, callers waiting for one, and the maximum.
     * All zero once the pool is closed, and always on a host's data source ({@link #attach}).
     */
    public PoolUse poolUse() {
        if (pool == null) {
            return new PoolUse(0, 0, 0, 0);
        }
        var bean = pool.getHikariPoolMXBean();
        if (bean == null || pool.isClosed()) {
            return new PoolUse(0, 0, 0, pool.getMaximumPoolSize());
        }
        return new PoolUse(bean.getActiveConnections(), bean.getIdleConnections(), bean.getThreadsAwaitingConnection(),
                pool.getMaximumPoolSize());
    }

    /** A snapshot of the pool: connections in use, idle, callers waiting, and the pool's maximum size. */
    public record PoolUse(int active, int idle, int pending, int max) {
    }

    /** Closes the pool this database opened; a host's data source ({@link #attach}) stays open. */
    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
    }
}
