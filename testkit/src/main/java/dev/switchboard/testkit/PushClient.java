package dev.switchboard.testkit;

import dev.switchboard.core.json.JsonCodec;
import dev.switchboard.core.push.PushEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Predicate;

/**
 * A WebSocket client of Switchboard's {@code /ws} on a loopback port, for tests: it presents an API key where
 * {@link KeyPlacement} says and keeps what the server sends (text messages, pings, the close code). Every wait is
 * bounded by {@link #WAIT}, so that a failure ends a test instead of hanging it; a wait that runs out is an
 * {@link AssertionError}.
 *
 * <p>The server answers the handshake before it has registered the socket, and an event published in between does
 * not reach the socket; {@link #connect(int, String, KeyPlacement, IntSupplier)} therefore waits for the server's
 * count of sockets to grow. Not thread-safe: one test thread reads what one client received.
 */
public final class PushClient implements WebSocket.Listener, AutoCloseable {
    /** Generous bound on waiting for something that should happen. */
    public static final Duration WAIT = Duration.ofSeconds(15);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Where the upgrade request carries the API key. */
    public enum KeyPlacement {
        /** {@code x-app-api-key}. */
        HEADER,
        /** {@code Authorization: Bearer}. */
        BEARER,
        /** The {@code api_key} query parameter. */
        QUERY
    }

    private final boolean reading;
    private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    private final BlockingQueue<Instant> pings = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final List<Map<String, Object>> taken = new ArrayList<>();
    private WebSocket socket;

    private PushClient(boolean reading) {
        this.reading = reading;
    }

    /**
     * Opens {@code /ws} on {@code port} with {@code key} (none when null) where {@code placement} says. An upgrade
     * the server refuses is an {@link ExecutionException} caused by a {@link WebSocketHandshakeException}.
     */
    public static PushClient connect(int port, String key, KeyPlacement placement) throws Exception {
        return open(port, key, placement, true);
    }

    /**
     * Opens {@code /ws} as {@link #connect(int, String, KeyPlacement)} does and returns once {@code openSockets} (the
     * server's count of the sockets this one will be counted in, such as those of its app) has grown.
     */
    public static PushClient connect(int port, String key, KeyPlacement placement, IntSupplier openSockets)
            throws Exception {
        int before = openSockets.getAsInt();
        return registered(open(port, key, placement, true), openSockets, before);
    }

    /**
     * A client that never reads: no message is taken off the connection, so the server's writes back up behind
     * full TCP buffers. Returns once {@code openSockets} has grown.
     */
    public static PushClient connectWithoutReading(int port, String key, IntSupplier openSockets) throws Exception {
        int before = openSockets.getAsInt();
        return registered(open(port, key, KeyPlacement.HEADER, false), openSockets, before);
    }

    /** 101 when a socket opened (it is closed at once), else the status the server refused the upgrade with. */
    public static int handshakeStatus(int port, String key, KeyPlacement placement) throws Exception {
        return refusal(port, key, placement).map(HttpResponse::statusCode).orElse(101);
    }

    /** The server's answer to an upgrade it refused; empty when a socket opened (it is closed at once). */
    public static Optional<HttpResponse<?>> refusal(int port, String key, KeyPlacement placement) throws Exception {
        try {
            connect(port, key, placement).close();
            return Optional.empty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                return Optional.of(handshake.getResponse());
            }
            throw e;
        }
    }

    private static PushClient open(int port, String key, KeyPlacement placement, boolean reading) throws Exception {
        Objects.requireNonNull(placement, "placement");
        PushClient client = new PushClient(reading);
        String query = placement == KeyPlacement.QUERY && key != null ? "?api_key=" + key : "";
        WebSocket.Builder builder = HTTP.newWebSocketBuilder();
        if (key != null && placement == KeyPlacement.HEADER) {
            builder.header("x-app-api-key", key);
        } else if (key != null && placement == KeyPlacement.BEARER) {
            builder.header("Authorization", "Bearer " + key);
        }
        client.socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws" + query), client)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return client;
    }

    /** {@code client} once {@code openSockets} has grown past {@code before}, its value ahead of the handshake. */
    private static PushClient registered(PushClient client, IntSupplier openSockets, int before) throws Exception {
        if (!Await.atMost(WAIT).pollingEvery(Duration.ofMillis(5)).until(() -> openSockets.getAsInt() > before)) {
            client.close();
            throw new AssertionError("the server never counted the socket");
        }
        return client;
    }

    /** The next message's text, or null when none arrives within {@link #WAIT}. */
    public String next() throws InterruptedException {
        return messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Every message up to and including the one for {@code last}, parsed. */
    public List<Map<String, Object>> until(PushEvent last) throws InterruptedException {
        return until(message -> last.id().toString().equals(message.get("event_id")));
    }

    /**
     * Takes the messages that arrive until one matches {@code wanted} and returns them, parsed, the match last;
     * returns an empty list at once when a message taken earlier matches.
     */
    public List<Map<String, Object>> until(Predicate<Map<String, Object>> wanted) throws InterruptedException {
        if (taken.stream().anyMatch(wanted)) {
            return List.of();
        }
        List<Map<String, Object>> seen = new ArrayList<>();
        while (true) {
            String next = next();
            if (next == null) {
                throw new AssertionError("no further message on the socket after " + taken);
            }
            Map<String, Object> message = JsonCodec.parseObject(next);
            seen.add(message);
            taken.add(message);
            if (wanted.test(message)) {
                return seen;
            }
        }
    }

    /** Every message taken so far by {@link #until}, parsed, in arrival order. */
    public List<Map<String, Object>> taken() {
        return List.copyOf(taken);
    }

    /** True once a ping frame arrives, false when none arrives within {@link #WAIT}. */
    public boolean pinged() throws InterruptedException {
        return pings.poll(WAIT.toSeconds(), TimeUnit.SECONDS) != null;
    }

    /** The code the server closed the socket with, once it does. */
    public int closeCode() throws Exception {
        return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        if (reading) {
            webSocket.request(1);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            messages.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        pings.add(Instant.now());
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    /** Says goodbye (1000) if the connection is still open, then drops it. */
    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
    }
}
