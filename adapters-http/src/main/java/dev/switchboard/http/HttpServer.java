package dev.switchboard.http;

import io.javalin.Javalin;
import java.util.Map;
import java.util.Objects;

/**
 * The Javalin server that carries every route of the contract. Built once with its collaborators, started on a
 * host and port (port 0 picks a free one, which tests use), stopped on shutdown.
 *
 * <p>Not thread-safe to start or stop concurrently; request handling itself is concurrent.
 */
public final class HttpServer implements AutoCloseable {
    private final Javalin javalin;

    private HttpServer(Javalin javalin) {
        this.javalin = javalin;
    }

    /** Builds and starts the server on {@code host:port}; returns once it accepts connections. */
    public static HttpServer start(String host, int port) {
        Objects.requireNonNull(host, "host");
        Javalin javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.get("/", ctx -> ctx.json(Map.of("message", "CTI Server is running")));
            config.routes.get("/health", ctx -> ctx.json(Map.of("status", "ok")));
        });
        javalin.start(host, port);
        return new HttpServer(javalin);
    }

    /** The port the server listens on, useful when it was started on port 0. */
    public int port() {
        return javalin.port();
    }

    @Override
    public void close() {
        javalin.stop();
    }
}
