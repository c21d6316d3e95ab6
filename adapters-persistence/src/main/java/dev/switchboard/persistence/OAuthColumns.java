package dev.switchboard.persistence;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Column conversions shared by the OAuth stores: instants to and from {@code timestamptz} columns. Instants are
 * bound as UTC {@link OffsetDateTime}, which the driver sends with its offset, so the JVM's default time zone never
 * shifts a value.
 */
final class OAuthColumns {
    private OAuthColumns() {
    }

    /** The value to bind for {@code instant} (null stays null). */
    static OffsetDateTime bind(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /** A non-null {@code timestamptz} column. */
    static Instant read(ResultSet rows, String column) throws SQLException {
        OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
        if (value == null) {
            throw new SQLException("column " + column + " is unexpectedly null");
        }
        return value.toInstant();
    }

    /** A nullable {@code timestamptz} column. */
    static Optional<Instant> readOptional(ResultSet rows, String column) throws SQLException {
        OffsetDateTime value = rows.getObject(column, OffsetDateTime.class);
        return Optional.ofNullable(value).map(OffsetDateTime::toInstant);
    }
}
