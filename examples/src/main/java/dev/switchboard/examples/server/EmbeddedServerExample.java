package dev.switchboard.examples.server;

import dev.switchboard.app.EmbeddedSwitchboard;
import dev.switchboard.app.config.Secrets;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import javax.sql.DataSource;

/**
 * Example (3) of {@code docs/embedding.md}: a JVM service that runs the whole Switchboard server inside itself, on its
 * own connection pool, meter registry and clock. Switchboard's tables go to the schema {@code switchboard} with their
 * own Flyway history, so the host's {@code db/migration} and {@code flyway_schema_history} stay the host's; the server
 * serves the contract's routes on a port of its own.
 *
 * <pre>{@code
 * try (EmbeddedSwitchboard switchboard = EmbeddedServerExample.start(pool, registry, Clock.systemUTC(),
 *         URI.create("https://crm.example.com"), 8090, secrets)) { ... }
 * }</pre>
 */
public final class EmbeddedServerExample {
    private EmbeddedServerExample() {
    }

    /**
     * Migrates Switchboard's schema in the host's database and starts the server on {@code port} (0: a free one).
     *
     * @param hostPool      the host's pool; Switchboard borrows from it and never closes it
     * @param hostRegistry  where Switchboard's {@code switchboard_*} meters join the host's own
     * @param clock         what every Switchboard service reads the time from
     * @param publicBaseUrl how Dialpad and browsers reach the server
     * @param port          the port of Switchboard's routes
     * @param secrets       the server's own secrets, from the host's secret store
     * @return the running server; closing it stops the server and leaves the pool and the registry open
     */
    public static EmbeddedSwitchboard start(DataSource hostPool, MeterRegistry hostRegistry, Clock clock,
                                            URI publicBaseUrl, int port, Secrets secrets) {
        // tag::server[]
        return EmbeddedSwitchboard.builder()
                .dataSource(hostPool)
                .meterRegistry(hostRegistry)
                .clock(clock)
                .schema("switchboard")
                .historyTable("switchboard_schema_history")
                .listen("127.0.0.1", port)
                .publicBaseUrl(publicBaseUrl)
                .secrets(secrets)
                .start();
        // end::server[]
    }
}
