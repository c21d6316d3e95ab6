package dev.switchboard.app;

import dev.switchboard.http.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts Switchboard from the environment. */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        String host = System.getenv().getOrDefault("HOST", "0.0.0.0");
        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "4000"));
        HttpServer server = HttpServer.start(host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "switchboard-shutdown"));
        LOG.info("Switchboard listening on {}:{}", host, server.port());
    }
}
