package dev.switchboard.persistence;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A host's {@link DataSource} seen from Switchboard's schema: every connection it hands out has {@code search_path}
 * set to that schema alone (so the stores' unqualified table names are Switchboard's, never the host's) and custom
 * plans on; closing it puts back the session settings the host had, then returns it to the host's pool. A connection
 * borrowed for a listener ({@link #borrowForListener}) also drops its {@code LISTEN}s and read timeout on close.
 *
 * <p>The settings are session settings made outside any transaction, so a rollback of the host's or ours never
 * undoes them half-way. The stores work in auto-commit, as on a pool of Switchboard's own: a connection the host's
 * pool hands out without it is switched to auto-commit while Switchboard holds it. Thread-safe as far as the host's
 * data source is.
 */
final class SchemaSessions implements DataSource {
    /** A lower-case SQL identifier that needs no quoting: a schema or table name the host chose. */
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /** Reads the host's settings first (the materialised CTE is computed before the outer row), then sets ours. */
    private static final String ENTER = "WITH previous AS MATERIALIZED (SELECT current_setting('search_path') AS path, "
            + "current_setting('plan_cache_mode') AS plans) "
            + "SELECT path, plans, set_config('search_path', ?, false), "
            + "set_config('plan_cache_mode', 'force_custom_plan', false) FROM previous";
    private static final String LEAVE =
            "SELECT set_config('search_path', ?, false), set_config('plan_cache_mode', ?, false)";

    private final DataSource host;
    private final String schema;

    SchemaSessions(DataSource host, String schema) {
        this.host = Objects.requireNonNull(host, "host");
        this.schema = requireIdentifier(schema, "schema");
    }

    /**
     * {@code name} when it is a lower-case identifier of at most 63 characters (letters, digits, underscores, not
     * starting with a digit); such a name is the same quoted or not, and is safe in a statement.
     */
    static String requireIdentifier(String name, String what) {
        Objects.requireNonNull(name, what);
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("the " + what + " must be a lower-case SQL identifier (a-z, 0-9, _, "
                    + "at most 63 characters, not starting with a digit): " + name);
        }
        return name;
    }

    /** The schema every connection works in. */
    String schema() {
        return schema;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return enter(host.getConnection(), false);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return enter(host.getConnection(username, password), false);
    }

    /**
     * A connection of the host's pool for a listener that keeps it as long as it runs; a read blocked for more than
     * {@code readTimeoutSeconds} fails, so a dead network is noticed.
     */
    Connection borrowForListener(int readTimeoutSeconds) throws SQLException {
        Connection connection = enter(host.getConnection(), true);
        try {
            connection.setNetworkTimeout(Runnable::run, (int) TimeUnit.SECONDS.toMillis(readTimeoutSeconds));
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    private Connection enter(Connection connection, boolean listener) throws SQLException {
        try {
            boolean autoCommit = connection.getAutoCommit();
            if (!autoCommit) {
                // ends whatever the pool left open; from here the settings and the stores' writes commit at once
                connection.rollback();
                connection.setAutoCommit(true);
            }
            String path;
            String plans;
            try (PreparedStatement statement = connection.prepareStatement(ENTER)) {
                statement.setString(1, schema);
                try (ResultSet row = statement.executeQuery()) {
                    row.next();
                    path = row.getString(1);
                    plans = row.getString(2);
                }
            }
            int timeout = listener ? connection.getNetworkTimeout() : 0;
            return (Connection) Proxy.newProxyInstance(SchemaSessions.class.getClassLoader(),
                    new Class<?>[] {Connection.class},
                    new Session(connection, path, plans, autoCommit, listener, timeout));
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** The connection handed out: every call goes to the host's, {@code close()} first restores the host's settings. */
    private static final class Session implements InvocationHandler {
        private final Connection connection;
        private final String path;
        private final String plans;
        private final boolean autoCommit;
        private final boolean listener;
        private final int networkTimeout;
        private boolean closed;

        Session(Connection connection, String path, String plans, boolean autoCommit, boolean listener,
                int networkTimeout) {
            this.connection = connection;
            this.path = path;
            this.plans = plans;
            this.autoCommit = autoCommit;
            this.listener = listener;
            this.networkTimeout = networkTimeout;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close":
                    close();
                    return null;
                case "isClosed":
                    return closed || connection.isClosed();
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "SchemaSessions.Session[" + connection + "]";
                default:
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
            }
        }

        private synchronized void close() throws SQLException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (connection.isClosed()) {
                    return;
                }
                if (!connection.getAutoCommit()) {
                    // a transaction a failure left open
                    connection.rollback();
                    connection.setAutoCommit(true);
                }
                try (Statement statement = connection.createStatement()) {
                    if (listener) {
                        statement.execute("UNLISTEN *");
                    }
                }
                try (PreparedStatement statement = connection.prepareStatement(LEAVE)) {
                    statement.setString(1, path);
                    statement.setString(2, plans);
                    statement.executeQuery().close();
                }
                connection.setAutoCommit(autoCommit);
                if (listener) {
                    connection.setNetworkTimeout(Runnable::run, networkTimeout);
                }
            } finally {
                connection.close();
            }
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return host.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        host.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        host.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return host.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return host.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        return host.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return type.isInstance(this) || host.isWrapperFor(type);
    }
}
