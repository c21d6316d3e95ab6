package dev.switchboard.bench;

import dev.switchboard.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the most expensive unauthenticated requests cost the real server: for each hostile shape (number, string,
 * nesting and key bombs in a JWS header, in a badly signed JWS payload and in a legacy JSON body; huge headers, many
 * tiny query parameters, many small multipart parts, oversized bodies) it sends {@code requests} such requests from
 * {@code IN_FLIGHT} connections at once and prints the server process's CPU time per request, then sends them
 * continuously from {@code IN_FLIGHT} connections while measuring {@code GET /health} (p50/p99).
 *
 * <p>The server runs in a process of its own ({@link BenchServers#launch}, the README's JVM options, no event workers:
 * nothing here is processed), and its CPU is read from {@code /proc/<pid>/stat} (user + system, 10 ms ticks) before
 * and after each shape, so the load generator's own CPU is not counted; the process's idle CPU over the same time is
 * printed beside it for reference, and not subtracted. Every hostile request goes on a connection of its own
 * ({@code Connection: close}), read to its end, since the server may close a connection after refusing a request.
 * Each shape is first sent half as many times, unmeasured, so the figures are not those of the JIT compiler.
 * Arguments: requests per shape (400), seconds of {@code /health} measurement per shape (5).
 */
public final class HostileRequestBench {
    private static final String WEBHOOK_SECRET = "hostile-bench-webhook-secret";
    private static final int IN_FLIGHT = 16;
    /** Close to what fits under the 1 MiB body limit once base64url-encoded (4/3). */
    private static final int BOMB = 780_000;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String BAD_SIGNATURE = "A".repeat(43);

    private HostileRequestBench() {
    }

    /** One hostile request, prepared once and sent as it is. */
    record Shape(String name, byte[] request) {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("switchboard.log.format", "TEXT");
        System.setProperty("switchboard.log.level", "WARN");
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int healthSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (TestDatabase fresh = TestDatabase.create()) {
            BenchServers servers = BenchServers.on(fresh.jdbcUrl());
            BenchServers.WebhookApp app = servers.webhookApp("hostile-bench", WEBHOOK_SECRET);
            try (ServerProcess server = servers.launch("hostile-bench", 4, Map.of("EVENT_WORKERS", "0"))) {
                run(server, app, requests, healthSeconds);
            }
        }
        System.exit(0);
    }

    private static void run(ServerProcess server, BenchServers.WebhookApp app, int requests, int healthSeconds)
            throws Exception {
        double idleBefore = server.cpuSeconds();
        Thread.sleep(3_000);
        double idlePerSecond = (server.cpuSeconds() - idleBefore) / 3.0;
        System.out.printf(Locale.ROOT, "HostileRequestBench: server pid %d, JVM \"%s\", %d requests per shape from %d "
                        + "connections at once; idle server CPU %.1f ms/s%n", server.pid(),
                System.getProperty("bench.server.jvm", ServerProcess.DEFAULT_JVM), requests, IN_FLIGHT,
                idlePerSecond * 1000);
        RawHttpLoad.Result quiet = health(server.port(), Duration.ofSeconds(healthSeconds), null);
        System.out.printf(Locale.ROOT, "GET /health with nothing else: p50 %.1f ms, p99 %.1f ms%n",
                quiet.percentileMillis(50), quiet.percentileMillis(99));
        System.out.printf(Locale.ROOT, "%-46s %9s %10s %10s %12s  %s%n", "shape", "bytes", "CPU ms/req", "wall s",
                "/health p50/p99 ms", "answers");
        for (Shape shape : shapes(app)) {
            send(server.port(), shape, Math.max(IN_FLIGHT, requests / 2), new AtomicBoolean(false)); // warm-up
            double cpuBefore = server.cpuSeconds();
            long start = System.nanoTime();
            Map<Integer, Integer> answers = send(server.port(), shape, requests, new AtomicBoolean(false));
            double wall = (System.nanoTime() - start) / 1e9;
            double cpuMillisPerRequest = (server.cpuSeconds() - cpuBefore) * 1000 / requests;
            RawHttpLoad.Result underLoad = health(server.port(), Duration.ofSeconds(healthSeconds), shape);
            System.out.printf(Locale.ROOT, "%-46s %9d %10.2f %10.1f %7.1f/%-6.1f  %s%n", shape.name(),
                    shape.request().length, cpuMillisPerRequest, wall, underLoad.percentileMillis(50),
                    underLoad.percentileMillis(99), answers);
        }
    }

    /**
     * {@code GET /health} paced at 100 per second over two keep-alive connections for {@code duration}, while
     * {@link #IN_FLIGHT} connections send {@code hostile} continuously (nothing else when null).
     */
    private static RawHttpLoad.Result health(int port, Duration duration, Shape hostile) throws Exception {
        AtomicBoolean stop = new AtomicBoolean(false);
        ExecutorService background = Executors.newSingleThreadExecutor();
        Future<?> load = hostile == null ? null
                : background.submit(() -> send(port, hostile, Integer.MAX_VALUE, stop));
        try {
            if (hostile != null) {
                Thread.sleep(500); // every connection busy before the first measured request
            }
            byte[] request = ("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            int count = (int) (duration.toSeconds() * 100);
            return RawHttpLoad.paced(port, 2, count, 100, 200, i -> request);
        } finally {
            stop.set(true);
            if (load != null) {
                load.get();
            }
            background.shutdown();
        }
    }

    /**
     * Sends {@code shape} {@code total} times (or until {@code stop}) from {@link #IN_FLIGHT} connections at once,
     * each request on a fresh connection; returns how many answers of each status came back (-1: none, the
     * connection was closed or reset first).
     */
    private static Map<Integer, Integer> send(int port, Shape shape, int total, AtomicBoolean stop) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
        AtomicInteger sent = new AtomicInteger();
        Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT; i++) {
            workers.add(pool.submit(() -> {
                while (!stop.get() && sent.getAndIncrement() < total) {
                    statuses.computeIfAbsent(once(port, shape.request()), s -> new LongAdder()).increment();
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.SECONDS);
        Map<Integer, Integer> counts = new TreeMap<>();
        statuses.forEach((status, count) -> counts.put(status, count.intValue()));
        return counts;
    }

    /** Writes one request on a new connection and reads the answer to its end; its status, or -1 without one. */
    private static int once(int port, byte[] request) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException refusedEarly) {
                // the server answered (413, 431...) and closed before the whole request was written: read the answer
            }
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream(256);
            byte[] buffer = new byte[8192];
            int read;
            while ((read = in.read(buffer)) > 0) {
                if (head.size() < 16) {
                    head.write(buffer, 0, Math.min(read, 16));
                }
            }
            String status = head.toString(StandardCharsets.US_ASCII);
            return status.startsWith("HTTP/1.1 ") && status.length() >= 12 ? Integer.parseInt(status.substring(9, 12))
                    : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static List<Shape> shapes(BenchServers.WebhookApp app) {
        String shared = "/webhooks/dialpad";
        String perApp = app.path();
        String header = B64.encodeToString(utf8("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"));
        String smallPayload = B64.encodeToString(utf8("{\"call_id\":1,\"state\":\"ringing\"}"));
        List<Shape> shapes = new ArrayList<>();
        for (Map.Entry<String, String> bomb : bombs().entrySet()) {
            String headerBomb = "{\"alg\":\"HS256\",\"x\":" + bomb.getValue() + "}";
            shapes.add(jwt("JWS header, " + bomb.getKey(), perApp,
                    B64.encodeToString(utf8(headerBomb)) + "." + smallPayload + "." + BAD_SIGNATURE));
        }
        shapes.add(jwt("JWS header, nesting 700 deep within 1 KiB", perApp,
                B64.encodeToString(utf8("[".repeat(700))) + "." + smallPayload + "." + BAD_SIGNATURE));
        for (Map.Entry<String, String> bomb : bombs().entrySet()) {
            String payloadBomb = "{\"call_id\":1,\"state\":\"ringing\",\"x\":" + bomb.getValue() + "}";
            shapes.add(jwt("JWS payload (bad signature), " + bomb.getKey(), perApp,
                    header + "." + B64.encodeToString(utf8(payloadBomb)) + "." + BAD_SIGNATURE));
        }
        shapes.add(jwt("JWS payload (bad signature), exp 1e9999999", perApp, header + "."
                + B64.encodeToString(utf8("{\"call_id\":1,\"exp\":1e9999999}")) + "." + BAD_SIGNATURE));
        for (Map.Entry<String, String> bomb : bombs().entrySet()) {
            byte[] body = utf8("{\"call_id\":1,\"state\":\"ringing\",\"x\":" + bomb.getValue() + "}");
            shapes.add(new Shape("legacy JSON (bad signature), " + bomb.getKey(), request("POST", shared,
                    "Content-Type: application/json\r\nx-dialpad-signature: " + "00".repeat(32) + "\r\n", body)));
        }
        shapes.add(new Shape("headers: one of 64 KiB", request("POST", shared,
                "X-Filler: " + "a".repeat(64 * 1024) + "\r\n", utf8("x"))));
        StringBuilder manyHeaders = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            manyHeaders.append("X-H").append(i).append(": ").append("v".repeat(20)).append("\r\n");
        }
        shapes.add(new Shape("headers: 250 small ones", request("POST", shared, manyHeaders.toString(), utf8("x"))));
        shapes.add(new Shape("query: 1,900 tiny parameters", request("POST",
                shared + "?" + "a=1&".repeat(1_900) + "a=1", "", utf8("x"))));
        StringBuilder parts = new StringBuilder();
        while (parts.length() < 1_000_000) {
            parts.append("--b\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n");
        }
        parts.append("--b--\r\n");
        shapes.add(new Shape("multipart: 17,000 tiny parts", request("POST", shared,
                "Content-Type: multipart/form-data; boundary=b\r\n", utf8(parts.toString()))));
        shapes.add(new Shape("form: 200,000 tiny fields to /internal/introspect", request("POST",
                "/internal/introspect", "Content-Type: application/x-www-form-urlencoded\r\n",
                utf8("t=1&".repeat(200_000) + "token=x"))));
        byte[] oversized = new byte[2 * 1024 * 1024];
        java.util.Arrays.fill(oversized, (byte) 'a');
        shapes.add(new Shape("oversized body: 2 MiB with its length", request("POST", perApp,
                "Content-Type: application/jwt\r\n", oversized)));
        shapes.add(new Shape("oversized body: 2 MiB chunked", chunked(perApp, oversized)));
        return shapes;
    }

    /** The bombs, each close to what fits in a 1 MiB body once base64url-encoded. */
    private static Map<String, String> bombs() {
        Map<String, String> bombs = new java.util.LinkedHashMap<>();
        bombs.put("number of 780,000 digits", "9".repeat(BOMB));
        bombs.put("string of 780,000 characters", "\"" + "s".repeat(BOMB) + "\"");
        bombs.put("nesting 390,000 deep", "[".repeat(BOMB / 2) + "]".repeat(BOMB / 2));
        bombs.put("130,000 duplicate keys", "{" + "\"k\":1,".repeat(BOMB / 6) + "\"k\":1}");
        return bombs;
    }

    private static Shape jwt(String name, String path, String token) {
        return new Shape(name, request("POST", path, "Content-Type: application/jwt; charset=utf-8\r\n",
                token.getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] request(String method, String target, String headers, byte[] body) {
        byte[] head = (method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers
                + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        return concat(head, body);
    }

    private static byte[] chunked(String target, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 1024);
        out.writeBytes(("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + "Content-Type: application/jwt\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        int chunk = 64 * 1024;
        for (int offset = 0; offset < body.length; offset += chunk) {
            int length = Math.min(chunk, body.length - offset);
            out.writeBytes((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, offset, length);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static byte[] concat(byte[] head, byte[] body) {
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
