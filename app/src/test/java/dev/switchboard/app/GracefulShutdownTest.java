package dev.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.testkit.Await;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.testkit.dialpad.WebhookSender;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as operators run it: {@link Main} in a JVM of its own, stopped with SIGTERM ({@link Process#destroy()})
 * while webhooks keep arriving. During the drain {@code /ready} answers 503 while the port still serves; every
 * delivery answered 200 is in the database afterwards, and the process ends with status 0.
 */
class GracefulShutdownTest {
    private static final String WEBHOOK_SECRET = "graceful-shutdown-webhook-secret-0123456789";
    private static final int SENDERS = 4;
    /** Longer than any start of the server on a loaded machine; only bounds a failure. */
    private static final Duration STARTUP_GUARD = Duration.ofMinutes(2);

    @TempDir
    Path workingDirectory;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void sigtermWhenWebhooksArriveThenReadyTurns503FirstEveryAcceptedEventIsStoredAndTheExitIsZero()
            throws Exception {
        try (TestDatabase database = TestDatabase.create()) {
            int port = freePort();
            Process server = startMain(port, database.jdbcUrl());
            ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
            try {
                awaitReady(server, port);
                URI hook = URI.create("http://127.0.0.1:" + port + "/webhooks/dialpad");
                Set<Long> accepted = ConcurrentHashMap.newKeySet();
                AtomicLong callIds = new AtomicLong(8_800_000_000L);
                List<Future<?>> load = new ArrayList<>();
                for (int i = 0; i < SENDERS; i++) {
                    load.add(senders.submit(() -> send(hook, callIds, accepted)));
                }
                awaitAccepted(accepted, 50, load);

                server.destroy();
                // /ready turns 503 while the same port still answers the liveness probe and stores webhooks
                int ready;
                do {
                    ready = status(port, "/ready");
                } while (ready == 200);
                assertThat(ready).as("/ready while the port is still open").isEqualTo(503);
                int acceptedWhenDraining = accepted.size();
                assertThat(status(port, "/health")).isEqualTo(200);
                awaitAccepted(accepted, acceptedWhenDraining + 20, load);

                int exit = server.waitFor();
                for (Future<?> sender : load) {
                    sender.get();
                }

                assertThat(exit).as("exit status; log in " + workingDirectory.resolve("server.log")).isZero();
                assertThat(storedCallIds(database)).containsAll(accepted);
            } finally {
                senders.shutdownNow();
                server.destroyForcibly().waitFor();
            }
        }
    }

    private Process startMain(int port, String jdbcUrl) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName())
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(workingDirectory.resolve("server.log").toFile());
        Map<String, String> environment = builder.environment();
        environment.put("APP_ENV", "sandbox");
        environment.put("HOST", "127.0.0.1");
        environment.put("PORT", Integer.toString(port));
        environment.put("DATABASE_URL", jdbcUrl);
        environment.put("DIALPAD_WEBHOOK_SECRET", WEBHOOK_SECRET);
        environment.put("SHUTDOWN_DRAIN_SECONDS", "2");
        environment.put("LOG_FORMAT", "text");
        return builder.start();
    }

    /** Waits until {@code count} deliveries were answered 200, and fails if the senders stopped before. */
    private static void awaitAccepted(Set<Long> accepted, int count, List<Future<?>> load) {
        while (accepted.size() < count && load.stream().noneMatch(Future::isDone)) {
            Thread.onSpinWait();
        }
        assertThat(accepted).as("deliveries answered 200 while the server serves").hasSizeGreaterThanOrEqualTo(count);
    }

    /** Posts signed call events one after another until the server no longer accepts connections. */
    private static void send(URI hook, AtomicLong callIds, Set<Long> accepted) {
        WebhookSender sender = WebhookSender.create();
        while (true) {
            long callId = callIds.incrementAndGet();
            try {
                if (sender.sendJwt(hook, WEBHOOK_SECRET, DialpadEvents.call(callId, "ringing").build()).status()
                        == 200) {
                    accepted.add(callId);
                }
            } catch (RuntimeException e) {
                // connection refused or reset: the server has stopped
                return;
            }
        }
    }

    private static Set<Long> storedCallIds(TestDatabase database) throws Exception {
        Set<Long> ids = new HashSet<>();
        try (Connection connection = database.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT (payload::jsonb ->> 'call_id')::bigint FROM webhook_events")) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
        return ids;
    }

    private void awaitReady(Process server, int port) throws Exception {
        int ready = Await.atMost(STARTUP_GUARD).pollingEvery(Duration.ofMillis(100)).until(() -> {
            if (!server.isAlive()) {
                throw new IllegalStateException("the server exited: " + Files.readString(
                        workingDirectory.resolve("server.log")));
            }
            return status(port, "/ready");
        }, status -> status == 200);
        assertThat(ready).as("/ready within %s", STARTUP_GUARD).isEqualTo(200);
    }

    /** The status of {@code GET path}, or -1 when nothing listens. */
    private int status(int port, String path) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
