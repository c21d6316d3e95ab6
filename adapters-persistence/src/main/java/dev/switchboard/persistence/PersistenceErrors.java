package dev.switchboard.persistence;

import dev.switchboard.core.StoreUnavailableException;
import java.sql.SQLException;
import java.util.function.Supplier;
import org.jdbi.v3.core.JdbiException;

/**
 * Turns JDBI and JDBC failures into core's vocabulary, so no library exception crosses a port.
 *
 * <p>Every store method runs its work through {@link #call}: any JDBI/JDBC failure becomes a
 * {@link StoreUnavailableException} whose message names the operation and the SQLSTATE, never a bound value.
 * Expected outcomes such as "already there" are detected by the store itself (for example with
 * {@code ON CONFLICT DO NOTHING}) or with {@link #isUniqueViolation}, before they reach here.
 */
final class PersistenceErrors {
    /** SQLSTATE of a unique-constraint violation. */
    static final String UNIQUE_VIOLATION = "23505";

    private PersistenceErrors() {
    }

    /** Runs {@code work}, translating database failures; {@code operation} is a short phrase like "store a call". */
    static <T> T call(String operation, Supplier<T> work) {
        try {
            return work.get();
        } catch (JdbiException e) {
            throw unavailable(operation, e);
        }
    }

    /** Runs {@code work} that returns nothing; see {@link #call}. */
    static void run(String operation, Runnable work) {
        call(operation, () -> {
            work.run();
            return null;
        });
    }

    /**
     * The exception to throw for a failed operation. The message carries the SQLSTATE and the kind of the root
     * failure; the JDBI exception is deliberately not chained, because its message lists the statement's bound
     * values, which may include sealed secrets or a webhook's payload.
     */
    static StoreUnavailableException unavailable(String operation, Throwable cause) {
        String state = sqlState(cause);
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new StoreUnavailableException("could not " + operation + " (" + root.getClass().getSimpleName()
                + (state == null ? "" : ", SQLSTATE " + state) + ")", null);
    }

    /** True when the failure, or one of its causes, is a unique-constraint violation. */
    static boolean isUniqueViolation(Throwable failure) {
        return UNIQUE_VIOLATION.equals(sqlState(failure));
    }

    private static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
