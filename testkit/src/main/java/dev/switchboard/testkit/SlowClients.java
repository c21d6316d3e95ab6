package dev.switchboard.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Many connections that each send a few bytes a second (one, unless told), the way a client that wants to hold a
 * server's connections and threads does: either a request whose head has been sent and whose body then trickles
 * ({@link Shape#BODY}), or a request whose head itself trickles ({@link Shape#HEAD}). One thread feeds them all. Records how each connection
 * ended: answered (with which status) or closed by the server without an answer.
 *
 * <p>Thread-safe; {@link #close()} closes every connection still open.
 */
public final class SlowClients implements AutoCloseable {
    /** What trickles. */
    public enum Shape { BODY, HEAD }

    private static final int DECLARED_BODY = 100_000;
    private final List<Client> clients;
    private final ScheduledExecutorService feeder;
    private final Map<Integer, AtomicInteger> answers = new ConcurrentHashMap<>();
    private final AtomicInteger closedWithoutAnswer = new AtomicInteger();

    private SlowClients(List<Client> clients) {
        this.clients = clients;
        this.feeder = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "slow-clients");
            thread.setDaemon(true);
            return thread;
        });
        feeder.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Opens {@code count} connections to the loopback {@code port}, each starting a {@code POST} of {@code path}
     * shaped as {@code shape}, and feeds each one byte a second from then on.
     */
    public static SlowClients open(int port, String path, int count, Shape shape) {
        return open(port, path, count, shape, 1);
    }

    /** As {@link #open(int, String, int, Shape)}, each connection sending {@code bytesPerSecond}. */
    public static SlowClients open(int port, String path, int count, Shape shape, int bytesPerSecond) {
        String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/jwt\r\n"
                + "Content-Length: " + DECLARED_BODY + "\r\n\r\n";
        List<Client> clients = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                Client client = new Client(socket, shape == Shape.HEAD ? head.getBytes(StandardCharsets.US_ASCII)
                        : "x".repeat(DECLARED_BODY).getBytes(StandardCharsets.US_ASCII), bytesPerSecond);
                if (shape == Shape.BODY) {
                    socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().flush();
                }
                clients.add(client);
            }
        } catch (IOException e) {
            clients.forEach(Client::close);
            throw new UncheckedIOException("could not open slow connection " + clients.size(), e);
        }
        return new SlowClients(clients);
    }

    /** Connections the server has neither answered nor closed yet. */
    public int stillOpen() {
        return (int) clients.stream().filter(client -> !client.ended).count();
    }

    /** How many connections the server answered with {@code status}. */
    public int answered(int status) {
        AtomicInteger count = answers.get(status);
        return count == null ? 0 : count.get();
    }

    /** How many connections the server closed without an answer. */
    public int closedWithoutAnswer() {
        return closedWithoutAnswer.get();
    }

    private void tick() {
        for (Client client : clients) {
            if (client.ended) {
                continue;
            }
            try {
                if (client.socket.getInputStream().available() > 0) {
                    client.socket.setSoTimeout(5_000);
                    RawHttp.Answer answer = RawHttp.read(client.socket.getInputStream());
                    end(client, answer.status());
                    continue;
                }
                client.sendNext();
            } catch (IOException e) {
                end(client, 0);
            }
        }
    }

    private void end(Client client, int status) {
        client.ended = true;
        client.close();
        if (status == 0) {
            closedWithoutAnswer.incrementAndGet();
        } else {
            answers.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
        }
    }

    @Override
    public void close() {
        feeder.shutdownNow();
        clients.forEach(Client::close);
    }

    private static final class Client {
        private final Socket socket;
        private final byte[] bytes;
        private final int perTick;
        private int sent;
        private volatile boolean ended;

        Client(Socket socket, byte[] bytes, int perTick) {
            this.socket = socket;
            this.bytes = bytes;
            this.perTick = perTick;
        }

        void sendNext() throws IOException {
            int now = Math.min(perTick, bytes.length - sent);
            if (now <= 0) {
                return;
            }
            OutputStream out = socket.getOutputStream();
            out.write(bytes, sent, now);
            out.flush();
            sent += now;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a socket the server may already have closed: nothing is left to release
            }
        }
    }
}
