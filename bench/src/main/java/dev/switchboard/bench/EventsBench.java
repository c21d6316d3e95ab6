package dev.switchboard.bench;

import dev.switchboard.app.config.ProcessingConfig;
import dev.switchboard.testkit.TestDatabase;
import dev.switchboard.testkit.dialpad.DialpadEvents;
import dev.switchboard.testkit.dialpad.Hs256Jwt;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The events path of the real server, in one run: the figures of "Dialpad events in, calls and messages out".
 *
 * <ol>
 *   <li>Authenticated {@code GET /api/calls} against {@code GET /health} with {@code apps} apps holding keys
 *       ({@link ApiBench#run}); the ratio is the figure.</li>
 *   <li>Webhook intake: {@code senders} connections posting signed call events to one app's webhook path
 *       ({@link WebhookBench#measure}): events accepted per second, p50/p99, events lost, backlog one second after
 *       the load.</li>
 *   <li>Webhook to WebSocket: sockets for that app on both instances; {@code pushEvents} ringing events of fresh
 *       calls posted to instance A at {@code pushRate} per second; for each, the time from sending the webhook to
 *       its {@code call.ring} arriving on each socket (p50/p99/max), events missing and duplicated, and the
 *       process's resident memory after each of {@code pushRuns} runs, which should stay flat.</li>
 * </ol>
 *
 * <p>Two instances (A and B, as an operator runs them) share a fresh database from {@link TestDatabase}
 * ({@code SWITCHBOARD_TEST_DATABASE_URL} names the server; an embedded PostgreSQL without it), each with its own pool,
 * listeners and {@code EVENT_WORKERS} processors. Everything (both servers, the load generator, PostgreSQL) shares
 * this machine's cores. Arguments: apps (1000), senders (32), webhook seconds (10), push rate per second (200),
 * push events per run (1000), push runs (5).
 */
public final class EventsBench {
    private static final String WEBHOOK_SECRET = "events-bench-webhook-secret";
    private static final AtomicLong CALL_IDS = new AtomicLong(70_000_000_000L);

    private EventsBench() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("switchboard.log.format", "TEXT");
        System.setProperty("switchboard.log.level", "WARN");
        int apps = args.length > 0 ? Integer.parseInt(args[0]) : ApiBench.DEFAULT_APPS;
        int senders = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int pushRate = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        int pushEvents = args.length > 4 ? Integer.parseInt(args[4]) : 1_000;
        int pushRuns = args.length > 5 ? Integer.parseInt(args[5]) : 5;
        try (TestDatabase fresh = TestDatabase.create()) {
            run(fresh.jdbcUrl(), apps, senders, seconds, pushRate, pushEvents, pushRuns);
        }
        System.exit(0);
    }

    private static void run(String url, int apps, int senders, int seconds, int pushRate, int pushEvents,
                            int pushRuns) throws Exception {
        System.out.printf(Locale.ROOT, "EventsBench: %d processors, EVENT_WORKERS=%d per instance, two instances%n",
                Runtime.getRuntime().availableProcessors(), ProcessingConfig.DEFAULTS.eventWorkers());
        List<String> keys = ApiBench.seed(url, apps, 5, 4);
        BenchServers servers = BenchServers.on(url);
        try (ServerProcess a = servers.launch("events-bench-a", 10, Map.of());
             ServerProcess b = servers.launch("events-bench-b", 10, Map.of())) {
            System.out.printf(Locale.ROOT, "instances up (A :%d pid %d, B :%d pid %d); %s%n", a.port(), a.pid(),
                    b.port(), b.pid(), memory(a, b));

            System.out.println("== 1. authenticated GET /api/calls against GET /health (instance A)");
            double ratio = ApiBench.run(a.port(), keys, 32, Duration.ofSeconds(5), 3, 5);
            System.out.println(memory(a, b));

            System.out.println("== 2. webhook intake (instance A; both instances process)");
            BenchServers.WebhookApp app = servers.webhookApp("events bench", WEBHOOK_SECRET);
            WebhookBench.measure(a.port(), url, app, senders, Duration.ofSeconds(seconds));
            System.out.println(memory(a, b));

            System.out.println("== 3. webhook to WebSocket (posted to A; sockets on A and B)");
            pushLatency(a, b, app, pushRate, pushEvents, pushRuns);
            System.out.printf(Locale.ROOT, "API ratio (best rates of the rounds): %.2f (target >= 0.70)%n", ratio);
        }
    }

    /** One socket's receipts of {@code call.ring}, by Dialpad call id. */
    private static final class Arrivals {
        final Map<String, Long> at = new ConcurrentHashMap<>();
        final AtomicInteger duplicates = new AtomicInteger();

        void onMessage(Map<String, Object> message, long now) {
            if ("call.ring".equals(message.get("type"))
                    && PushReceiver.data(message).get("dialpad_call_id") instanceof String callId
                    && at.putIfAbsent(callId, now) != null) {
                duplicates.incrementAndGet();
            }
        }

        void reset() {
            at.clear();
            duplicates.set(0);
        }
    }

    private static String memory(ServerProcess a, ServerProcess b) {
        return String.format(Locale.ROOT, "resident memory: A %d MB, B %d MB; CPU used so far: A %.1f s, B %.1f s",
                a.rssMegabytes(), b.rssMegabytes(), a.cpuSeconds(), b.cpuSeconds());
    }

    private static void pushLatency(ServerProcess a, ServerProcess b, BenchServers.WebhookApp app, int rate,
                                    int events, int runs) throws Exception {
        int portA = a.port();
        int portB = b.port();
        HttpClient http = HttpClient.newHttpClient();
        Arrivals onA = new Arrivals();
        Arrivals onB = new Arrivals();
        PushReceiver socketA = PushReceiver.connect(http, portA, app.apiKey(), onA::onMessage);
        PushReceiver socketB = PushReceiver.connect(http, portB, app.apiKey(), onB::onMessage);
        try {
            long[] all = new long[0];
            for (int run = 0; run <= runs; run++) {
                onA.reset();
                onB.reset();
                Map<String, Long> sent = new ConcurrentHashMap<>();
                long base = CALL_IDS.getAndAdd(1_000_000L);
                RawHttpLoad.Result posted = RawHttpLoad.paced(portA, 4, events, rate, 200, index -> {
                    String callId = Long.toString(base + index);
                    byte[] request = WebhookBench.webhookRequest(app.path(), Hs256Jwt.sign(
                            DialpadEvents.call(base + index, "ringing").build().json(), app.webhookSecret()));
                    sent.put(callId, System.nanoTime());
                    return request;
                });
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while ((onA.at.size() < events || onB.at.size() < events) && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                long[] latencies = latencies(sent, onA, onB);
                String line = String.format(Locale.ROOT, "%d webhooks at %d/s (%d non-200): call.ring on A %d/%d, "
                                + "on B %d/%d, duplicates %d; webhook-to-socket p50 %.1f ms, p99 %.1f ms, "
                                + "max %.1f ms; RSS A %d MB, B %d MB", events, rate, posted.errors(), onA.at.size(), events,
                        onB.at.size(), events, onA.duplicates.get() + onB.duplicates.get(), percentile(latencies, 50),
                        percentile(latencies, 99), percentile(latencies, 100), a.rssMegabytes(), b.rssMegabytes());
                if (run == 0) {
                    System.out.println("warm-up: " + line);
                } else {
                    System.out.println("run " + run + ": " + line);
                    all = concat(all, latencies);
                }
            }
            Arrays.sort(all);
            System.out.printf(Locale.ROOT, "webhook-to-WebSocket over %d runs, both sockets: %d deliveries, "
                            + "p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 < 100 ms); %s%n", runs,
                    all.length, percentile(all, 50), percentile(all, 99), percentile(all, 100), memory(a, b));
        } finally {
            socketA.close();
            socketB.close();
        }
    }

    /** Sorted latencies in nanoseconds of every arrival on either socket of a call whose sending was recorded. */
    private static long[] latencies(Map<String, Long> sent, Arrivals... sockets) {
        long[] values = new long[sent.size() * sockets.length];
        int n = 0;
        for (Arrivals socket : sockets) {
            for (Map.Entry<String, Long> arrival : socket.at.entrySet()) {
                Long start = sent.get(arrival.getKey());
                if (start != null) {
                    values[n++] = arrival.getValue() - start;
                }
            }
        }
        long[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        return sorted;
    }

    private static long[] concat(long[] first, long[] second) {
        long[] joined = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }

    /** The {@code p}th percentile of sorted nanoseconds, in milliseconds (nearest rank). */
    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))] / 1e6;
    }
}
