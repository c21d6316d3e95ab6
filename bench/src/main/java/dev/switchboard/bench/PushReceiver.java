package dev.switchboard.bench;

import dev.switchboard.core.json.JsonCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A {@code /ws} client for the benchmarks: connects with an app's key in the {@code x-app-api-key} header and hands
 * each whole push message, parsed, to a handler together with the {@link System#nanoTime()} of its arrival.
 */
final class PushReceiver implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();
    private final BiConsumer<Map<String, Object>, Long> handler;
    private WebSocket socket;

    private PushReceiver(BiConsumer<Map<String, Object>, Long> handler) {
        this.handler = handler;
    }

    /** Opens a socket to {@code ws://127.0.0.1:port/ws}; {@code handler} gets (message, arrival nanos). */
    static PushReceiver connect(HttpClient http, int port, String key, BiConsumer<Map<String, Object>, Long> handler)
            throws Exception {
        PushReceiver receiver = new PushReceiver(handler);
        receiver.socket = http.newWebSocketBuilder().header("x-app-api-key", key)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), receiver).get(10, TimeUnit.SECONDS);
        return receiver;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            long now = System.nanoTime();
            Map<String, Object> message = JsonCodec.parseObject(partial.toString());
            partial.setLength(0);
            handler.accept(message, now);
        }
        webSocket.request(1);
        return null;
    }

    /** The push's {@code data} object (empty for a message without one, such as a ping). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> data(Map<String, Object> message) {
        return message.get("data") instanceof Map<?, ?> data ? (Map<String, Object>) data : Map.of();
    }

    void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        socket.abort();
    }
}
