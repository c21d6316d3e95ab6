package dev.switchboard.persistence;

import java.util.Collection;
import java.util.UUID;
import org.jdbi.v3.core.argument.Argument;

/**
 * Array parameters bound the short way: each is one JDBC {@code setObject} of a Java {@code String[]},
 * {@code Integer[]} or {@code Long[]}, which the PostgreSQL driver sends in the binary array format
 * ({@code varchar[]}, {@code int4[]}, {@code int8[]}).
 * JDBI's {@code bindArray} would instead resolve a generic type and an argument factory per call and have the driver
 * escape every element into an array literal for the server to parse again; for the payloads of a webhook batch that
 * was a tenth of an instance's CPU under load.
 *
 * <p>UUIDs travel as their text: the statement casts the parameter ({@code CAST(:ids AS uuid[])}), as it casts
 * text to {@code timestamptz[]}. A null element is a SQL NULL.
 */
final class SqlArrays {
    private SqlArrays() {
    }

    /** A {@code varchar[]} of {@code values}, in order. */
    static Argument text(Collection<String> values) {
        String[] array = values.toArray(new String[0]);
        return (position, statement, context) -> statement.setObject(position, array);
    }

    /** The text of {@code values} as a {@code varchar[]}, in order; the statement casts it to {@code uuid[]}. */
    static Argument uuids(Collection<UUID> values) {
        String[] array = new String[values.size()];
        int i = 0;
        for (UUID value : values) {
            array[i++] = value == null ? null : value.toString();
        }
        return (position, statement, context) -> statement.setObject(position, array);
    }

    /** An {@code int4[]} of {@code values}, in order. */
    static Argument ints(Collection<Integer> values) {
        Integer[] array = values.toArray(new Integer[0]);
        return (position, statement, context) -> statement.setObject(position, array);
    }

    /** An {@code int8[]} of {@code values}, in order. */
    static Argument bigints(Collection<Long> values) {
        Long[] array = values.toArray(new Long[0]);
        return (position, statement, context) -> statement.setObject(position, array);
    }
}
