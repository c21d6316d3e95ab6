package dev.switchboard.bench;

import dev.switchboard.testkit.RawHttp;
import dev.switchboard.testkit.SlowClients;
import dev.switchboard.testkit.SlowClients.Shape;
import dev.switchboard.testkit.TestDatabase;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code GET /health} latency while slow clients hold connections: prints p50/p99/max of probes sent every
 * {@value #PROBE_INTERVAL_MILLIS} ms (a new connection each, as a load balancer's probe) in three phases of
 * {@code seconds} each:
 * <ol>
 *   <li>no slow client;
 *   <li>{@code connections} bodies trickling one byte a second to {@code POST /webhooks/dialpad} (and a tenth as many
 *       heads trickling), topped up every {@value #TOP_UP_MILLIS} ms as the server cuts them, so that about that
 *       many are held at any moment, as by a client that reconnects;
 *   <li>{@code connections} bodies at 2 KiB/s, above the minimum body rate, held until the body deadline.
 * </ol>
 * Target: p99 under 100 ms in every phase. The server runs in its own process as an operator starts it, with
 * {@code HTTP_MAX_CONNECTIONS_PER_CLIENT=10000} since every slow client here shares the loopback address (the
 * per-address cap would otherwise refuse most of them before they could hold anything).
 *
 * <p>{@code dev.switchboard.bench.SlowClientBench [connections=400] [seconds=20]}
 */
public final class SlowClientBench {
    private static final long PROBE_INTERVAL_MILLIS = 10;
    private static final long TOP_UP_MILLIS = 250;
    private static final String PATH = "/webhooks/dialpad";

    private SlowClientBench() {
    }

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 400;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        try (TestDatabase fresh = TestDatabase.create();
             ServerProcess server = BenchServers.on(fresh.jdbcUrl()).launch("slow-client-bench", 10,
                     Map.of("HTTP_MAX_CONNECTIONS_PER_CLIENT", "10000"))) {
            System.out.printf(Locale.ROOT, "SlowClientBench: %d slow connections, %d s per phase, %d cores%n",
                    connections, seconds, Runtime.getRuntime().availableProcessors());
            Duration phase = Duration.ofSeconds(seconds);
            probe(server.port(), Duration.ofSeconds(5));
            System.out.println("  no slow client:             " + RawHttpLoad.describe(probe(server.port(), phase)));
            byteASecond(server.port(), connections, phase);
            atMinimumRate(server.port(), connections, phase);
        }
        System.exit(0);
    }

    private static void byteASecond(int port, int connections, Duration phase) throws IOException {
        List<SlowClients> groups = new ArrayList<>();
        long deadline = System.nanoTime() + phase.toNanos();
        List<Long> latencies = new ArrayList<>();
        long errors = 0;
        long nextTopUp = 0;
        long started = System.nanoTime();
        int held = 0;
        int samples = 0;
        while (System.nanoTime() < deadline) {
            if (System.nanoTime() >= nextTopUp) {
                int open = groups.stream().mapToInt(SlowClients::stillOpen).sum();
                held += open;
                samples++;
                if (open < connections) {
                    groups.add(SlowClients.open(port, PATH, connections - open, Shape.BODY));
                    groups.add(SlowClients.open(port, PATH, Math.max(1, (connections - open) / 10), Shape.HEAD));
                }
                nextTopUp = System.nanoTime() + TOP_UP_MILLIS * 1_000_000L;
            }
            errors += probeOnce(port, latencies);
        }
        RawHttpLoad.Result result = result(latencies, errors, System.nanoTime() - started);
        int answered = groups.stream().mapToInt(g -> g.answered(408)).sum();
        int closed = groups.stream().mapToInt(SlowClients::closedWithoutAnswer).sum();
        groups.forEach(SlowClients::close);
        System.out.println("  bodies at 1 B/s, topped up: " + RawHttpLoad.describe(result));
        System.out.printf(Locale.ROOT, "    slow connections held on average %d; cut: %d bodies answered 408, %d "
                + "connections closed (heads past their deadline)%n", samples == 0 ? 0 : held / samples, answered,
                closed);
    }

    private static void atMinimumRate(int port, int connections, Duration phase) {
        try (SlowClients bodies = SlowClients.open(port, PATH, connections, Shape.BODY, 2048)) {
            RawHttpLoad.Result result = probe(port, phase);
            System.out.println("  bodies at 2 KiB/s, held:    " + RawHttpLoad.describe(result));
            System.out.printf(Locale.ROOT, "    slow connections still open at the end: %d of %d (%d answered 408, "
                    + "%d closed)%n", bodies.stillOpen(), connections, bodies.answered(408),
                    bodies.closedWithoutAnswer());
        }
    }

    /** Probes {@code /health} for {@code duration}. */
    private static RawHttpLoad.Result probe(int port, Duration duration) {
        List<Long> latencies = new ArrayList<>();
        long errors = 0;
        long started = System.nanoTime();
        while (System.nanoTime() - started < duration.toNanos()) {
            errors += probeOnce(port, latencies);
        }
        return result(latencies, errors, System.nanoTime() - started);
    }

    /** One probe, then a pause to the next: adds its latency when it answered 200; returns 1 when it did not. */
    private static int probeOnce(int port, List<Long> latencies) {
        long start = System.nanoTime();
        int failed = 0;
        try {
            RawHttp.Answer answer = RawHttp.exchange(port, RawHttp.request("GET", "/health", Map.of(), null));
            if (answer.status() == 200) {
                latencies.add(System.nanoTime() - start);
            } else {
                failed = 1;
            }
        } catch (IOException e) {
            failed = 1;
        }
        LockSupport.parkNanos(PROBE_INTERVAL_MILLIS * 1_000_000L);
        return failed;
    }

    private static RawHttpLoad.Result result(List<Long> latencies, long errors, long elapsedNanos) {
        long[] sorted = latencies.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        return new RawHttpLoad.Result(sorted.length + errors, errors, Duration.ofNanos(elapsedNanos), sorted);
    }
}
