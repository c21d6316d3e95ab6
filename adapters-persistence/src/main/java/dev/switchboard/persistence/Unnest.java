package dev.switchboard.persistence;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.SqlStatement;

/**
 * Many rows in one statement: each column is bound as one array and {@code unnest} turns the arrays back into rows,
 * so writing or matching any number of rows costs one round trip and one statement to plan. Immutable and
 * thread-safe; the rows are bound per statement.
 *
 * <pre>{@code
 * Unnest<Call> calls = Unnest.of(Unnest.uuid("id", Call::id), Unnest.text("status", c -> c.status().jsonName()));
 * handle.createUpdate("INSERT INTO calls (id, status) SELECT t.id, t.status FROM " + calls.from("t"))
 * }</pre>
 *
 * @param <T> what one row is made of
 */
final class Unnest<T> {
    /** One column: its parameter and column name, its SQL type, and how the rows become its array parameter. */
    record Column<T>(String name, String sqlType, Function<List<T>, Argument> array) {
        Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(sqlType, "sqlType");
            Objects.requireNonNull(array, "array");
            if (!name.matches("[a-z_]+") || !sqlType.matches("[a-z]+")) {
                throw new IllegalArgumentException("column names and types are lowercase words");
            }
        }
    }

    private final List<Column<T>> columns;

    private Unnest(List<Column<T>> columns) {
        this.columns = List.copyOf(columns);
    }

    @SafeVarargs
    static <T> Unnest<T> of(Column<T>... columns) {
        return of(List.of(columns));
    }

    static <T> Unnest<T> of(List<Column<T>> columns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("rows have at least one column");
        }
        return new Unnest<>(columns);
    }

    static <T> Column<T> uuid(String name, Function<T, UUID> value) {
        return new Column<>(name, "uuid", rows -> SqlArrays.uuids(rows.stream().map(value).toList()));
    }

    /** A text column; an empty value is NULL. */
    static <T> Column<T> text(String name, Function<T, Optional<String>> value) {
        return requiredText(name, value.andThen(v -> v.orElse(null)));
    }

    static <T> Column<T> requiredText(String name, Function<T, String> value) {
        return new Column<>(name, "text", rows -> SqlArrays.text(rows.stream().map(value).toList()));
    }

    /** A bigint column; an empty value is NULL. */
    static <T> Column<T> bigint(String name, Function<T, Optional<Long>> value) {
        Function<T, Long> nullable = value.andThen(v -> v.orElse(null));
        return new Column<>(name, "bigint", rows -> SqlArrays.bigints(rows.stream().map(nullable).toList()));
    }

    /** A timestamptz column, bound as ISO-8601 text; an empty value is NULL. */
    static <T> Column<T> timestamptz(String name, Function<T, Optional<Instant>> value) {
        Function<T, String> text = value.andThen(v -> v.map(Instant::toString).orElse(null));
        return new Column<>(name, "timestamptz", rows -> SqlArrays.text(rows.stream().map(text).toList()));
    }

    /** The column names, comma-separated, each prefixed with {@code alias.} when an alias is given. */
    String names(String alias) {
        return columns.stream().map(c -> alias.isEmpty() ? c.name() : alias + "." + c.name())
                .collect(Collectors.joining(", "));
    }

    /** {@code col = alias.col, ...} for every column but {@code except}: the SET list of an update from the rows. */
    String assignments(String alias, Set<String> except) {
        return columns.stream().map(Column::name).filter(name -> !except.contains(name))
                .map(name -> name + " = " + alias + "." + name).collect(Collectors.joining(", "));
    }

    /**
     * {@code unnest(CAST(:a AS type[]), ...) WITH ORDINALITY AS alias(a, ..., n)}: the rows, in the bound order,
     * numbered by {@code alias.n}.
     */
    String from(String alias) {
        return "unnest(" + columns.stream().map(c -> "CAST(:" + c.name() + " AS " + c.sqlType() + "[])")
                .collect(Collectors.joining(", ")) + ") WITH ORDINALITY AS " + alias + "(" + names("") + ", n)";
    }

    /** Binds {@code rows}, one array per column. */
    <S extends SqlStatement<S>> S bind(S statement, List<T> rows) {
        for (Column<T> column : columns) {
            statement.bind(column.name(), column.array().apply(rows));
        }
        return statement;
    }
}
