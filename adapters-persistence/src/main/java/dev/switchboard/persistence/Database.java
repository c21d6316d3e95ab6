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
 * The PostgreSQL database behind every store: a HikariCP pool, the Flyway migrations applied at start-up, and the
 * JDBI handle the stores share. One per process; thread-safe; {@link #close()} releases the pool.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
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
        return new Database(dataSource);
    }

    /**
     * Applies the migrations under {@code db/migration}; a second run on an up-to-date schema changes nothing.
     * Flyway gets connections of its own rather than the pool's: it holds two at once (its lock and its work), which
     * would wait forever on a pool of one.
     */
    static void migrate(DatabaseSettings settings) {
        Flyway.configure()
                .dataSource(settings.jdbcUrl(), settings.user().orElse(null), settings.password().orElse(null))
                .connectRetries(0)
                .locations("classpath:db/migration")
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
        Properties properties = new Properties();
        if (dataSource.getUsername() != null) {
            properties.setProperty("user", dataSource.getUsername());
        }
        if (dataSource.getPassword() != null) {
            properties.setProperty("password", dataSource.getPassword());
        }
        properties.setProperty("ApplicationName", applicationName);
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        return DriverManager.getConnection(dataSource.getJdbcUrl(), properties);
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
     * acquire, usage and creation times, each tagged {@code pool="switchboard"}. Once per database.
     */
    public void recordPoolMeters(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        dataSource.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    }

    /**
     * How the pool is used right now, for metrics: connections in use, idle, callers waiting for one, and the maximum.
     * All zero once the pool is closed.
     */
    public PoolUse poolUse() {
        var pool = dataSource.getHikariPoolMXBean();
        if (pool == null || dataSource.isClosed()) {
            return new PoolUse(0, 0, 0, dataSource.getMaximumPoolSize());
        }
        return new PoolUse(pool.getActiveConnections(), pool.getIdleConnections(), pool.getThreadsAwaitingConnection(),
                dataSource.getMaximumPoolSize());
    }

    /** A snapshot of the pool: connections in use, idle, callers waiting, and the pool's maximum size. */
    public record PoolUse(int active, int idle, int pending, int max) {
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
