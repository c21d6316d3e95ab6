package dev.switchboard.app;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * What a service that embeds the server lends it, and what it asks of it: the host's data source (with the schema and
 * Flyway history table Switchboard's tables live in), the host's meter registry, and whether the server opens its own
 * HTTP port. {@link #OWN} is the server process: its own database, its own registry, its port.
 *
 * @param dataSource    the host's pool; empty: the database of the configuration (embedded or external)
 * @param schema        Switchboard's schema in the host's database (used only with {@code dataSource})
 * @param historyTable  Switchboard's Flyway history table in that schema (used only with {@code dataSource})
 * @param meterRegistry where Switchboard's meters are recorded besides {@code /metrics}
 * @param http          whether the server listens on the configured host and port
 */
record Hosting(Optional<DataSource> dataSource, String schema, String historyTable,
               Optional<MeterRegistry> meterRegistry, boolean http) {
    /** The server process: nothing lent, HTTP on. */
    static final Hosting OWN = new Hosting(Optional.empty(), EmbeddedSwitchboard.DEFAULT_SCHEMA,
            EmbeddedSwitchboard.DEFAULT_HISTORY_TABLE, Optional.empty(), true);

    Hosting {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(historyTable, "historyTable");
        Objects.requireNonNull(meterRegistry, "meterRegistry");
    }
}
