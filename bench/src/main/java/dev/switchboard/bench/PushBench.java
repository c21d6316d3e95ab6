package dev.switchboard.bench;

import dev.switchboard.app.Switchboard;
import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.apikey.IssuedApiKey;
import dev.switchboard.app.config.AppEnvironment;
import dev.switchboard.app.config.Configuration;
import dev.switchboard.app.config.DatabaseConfig;
import dev.switchboard.app.config.DialpadConfig;
import dev.switchboard.http.IpRange;
import dev.switchboard.app.config.LoggingConfig;
import dev.switchboard.http.RateLimitConfig;
import dev.switchboard.app.config.SecretSetting;
import dev.switchboard.app.config.Secrets;
import dev.switchboard.core.push.PushEvent;
import dev.switchboard.core.push.PushEventType;
import dev.switchboard.persistence.Database;
import dev.switchboard.persistence.DatabaseSettings;
import dev.switchboard.persistence.JdbiApiKeyStore;
import dev.switchboard.persistence.JdbiAppStore;
import dev.switchboard.persistence.PostgresPushChannel;
import dev.switchboard.testkit.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Push latency from publish to WebSocket arrival, across instances, and the process's resident memory over
 * repeated runs.
 *
 * <p>Two Switchboard instances, A and B, run in this JVM on one database, each with its own pool, push listener and
 * HTTP server. One app has a socket on A and one on B. Events are published at a steady rate through a
 * {@link PostgresPushChannel} on the same database (the publisher the event processor uses), so every event travels
 * {@code pg_notify} to both instances' listeners and out of each instance's socket. The bench prints, per run and
 * per socket, the latency p50/p99/max from publish to the client's receipt, events received and duplicates, then
 * the process's VmRSS from {@code /proc/self/status} (both instances, the clients and the bench together).
 *
 * <p>Database: {@code SWITCHBOARD_BENCH_DATABASE_URL}, else a fresh database from {@link TestDatabase}. Arguments:
 * events per run (default 2000), runs (default 5), events per second (default 500).
 */
public final class PushBench {
    private PushBench() {
    }

    public static void main(String[] args) throws Exception {
        // before the first logger exists: plain text, and only problems, so the figures stay readable
        System.setProperty("switchboard.log.format", "TEXT");
        System.setProperty("switchboard.log.level", "WARN");
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        String configured = System.getenv("SWITCHBOARD_BENCH_DATABASE_URL");
        TestDatabase fresh = configured == null || configured.isBlank() ? TestDatabase.create() : null;
        String url = fresh != null ? fresh.jdbcUrl() : configured.trim();
        System.out.printf(Locale.ROOT, "PushBench: %d events per run, %d runs, %d events/s, %s; RSS at start %d MB%n",
                events, runs, rate, fresh != null ? "fresh test database" : "configured database", rssMegabytes());
        try (Switchboard instanceA = Switchboard.start(configuration(url, "a"), new SecureRandom());
             Switchboard instanceB = Switchboard.start(configuration(url, "b"), new SecureRandom());
             Database database = Database.open(DatabaseSettings.of(url, 2));
             PostgresPushChannel publisher = PostgresPushChannel.start(database, Clock.systemUTC())) {
            UUID app = JdbiAppStore.create(database, Clock.systemUTC()).create("push bench").id();
            IssuedApiKey key = ApiKeys.create(new SecureRandom()).issue();
            JdbiApiKeyStore.create(database).createOrRotate(app, key.stored(), "bench", Instant.now());
            System.out.printf(Locale.ROOT, "two instances up (A :%d, B :%d); RSS %d MB%n", instanceA.port(),
                    instanceB.port(), rssMegabytes());

            HttpClient http = HttpClient.newHttpClient();
            int capacity = Math.max(events, 1_000);
            Receiver onA = Receiver.connect(http, instanceA.port(), key.plaintext(), capacity);
            Receiver onB = Receiver.connect(http, instanceB.port(), key.plaintext(), capacity);
            try {
                run(publisher, app, Math.min(events, 1_000), rate, onA, onB);
                System.out.printf(Locale.ROOT, "warm-up done; RSS %d MB%n", rssMegabytes());
                long[] all = new long[0];
                for (int round = 1; round <= runs; round++) {
                    List<String> lines = run(publisher, app, events, rate, onA, onB);
                    System.out.printf(Locale.ROOT, "run %d: %s | %s | RSS %d MB%n", round, lines.get(0), lines.get(1),
                            rssMegabytes());
                    all = concat(all, onA.values(events), onB.values(events));
                }
                Arrays.sort(all);
                System.out.printf(Locale.ROOT, "all runs, both sockets: %d deliveries, p50 %.2f ms, p99 %.2f ms, "
                                + "max %.2f ms; RSS at end %d MB%n", all.length,
                        Receiver.millis(Receiver.percentile(all, 50)), Receiver.millis(Receiver.percentile(all, 99)),
                        Receiver.millis(all.length == 0 ? 0 : all[all.length - 1]), rssMegabytes());
            } finally {
                onA.close();
                onB.close();
            }
        } finally {
            if (fresh != null) {
                fresh.close();
            }
        }
    }

    private static List<String> run(PostgresPushChannel publisher, UUID app, int events, int rate, Receiver onA,
                                    Receiver onB) {
        onA.reset(events);
        onB.reset(events);
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        for (int i = 0; i < events; i++) {
            long due = start + i * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("seq", (long) i);
            data.put("sent_nanos", System.nanoTime());
            data.put("call_id", "bench-call-" + i);
            data.put("state", "ringing");
            data.put("direction", "inbound");
            data.put("external_number", "+14155550100");
            data.put("internal_number", "+14155550199");
            data.put("target", Map.of("id", "5432198765", "type", "user", "name", "Bench Operator"));
            publisher.publish(new PushEvent(UUID.randomUUID(), app, PushEventType.CALL_RING, Instant.now(),
                    Optional.of("crm-user-1"), data));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((onA.received.get() < events || onB.received.get() < events) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return List.of(onA.summary("socket on A", events), onB.summary("socket on B", events));
    }

    private static long[] concat(long[] first, long[] second, long[] third) {
        long[] joined = Arrays.copyOf(first, first.length + second.length + third.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        System.arraycopy(third, 0, joined, first.length + second.length, third.length);
        return joined;
    }

    private static Configuration configuration(String jdbcUrl, String name) throws IOException {
        Path data = Files.createTempDirectory("push-bench-" + name);
        DatabaseConfig database = new DatabaseConfig.External(jdbcUrl, Optional.empty(), Optional.empty(), 4);
        Secrets secrets = new Secrets(new SecretSetting.GenerateInSandbox(), new SecretSetting.GenerateInSandbox(),
                new SecretSetting.GenerateInSandbox(), new SecretSetting.GenerateInSandbox());
        return new Configuration(AppEnvironment.SANDBOX, "127.0.0.1", 0, URI.create("http://localhost:4000"),
                new DialpadConfig(Optional.empty(), URI.create("http://localhost:4000/auth/dialpad/callback"),
                        URI.create("https://sandbox.dialpad.com"), List.of("calls:list", "offline_access")),
                secrets, database, List.<IpRange>of(), RateLimitConfig.DEFAULTS, LoggingConfig.DEFAULTS,
                Optional.empty(), data);
    }

    /** VmRSS of this process in MB, or -1 where /proc is not available. */
    static long rssMegabytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Records, per event sequence number, the latency from publish to receipt on one socket. */
    private static final class Receiver {
        private final AtomicInteger received = new AtomicInteger();
        private final AtomicInteger duplicates = new AtomicInteger();
        private volatile AtomicLongArray latencies;
        private PushReceiver socket;

        static Receiver connect(HttpClient http, int port, String key, int capacity) throws Exception {
            Receiver receiver = new Receiver();
            receiver.reset(capacity);
            receiver.socket = PushReceiver.connect(http, port, key, receiver::onMessage);
            return receiver;
        }

        void reset(int events) {
            latencies = new AtomicLongArray(events);
            received.set(0);
            duplicates.set(0);
        }

        private void onMessage(Map<String, Object> message, long now) {
            Map<String, Object> body = PushReceiver.data(message);
            if (!(body.get("seq") instanceof Long seqValue) || !(body.get("sent_nanos") instanceof Long sent)) {
                return;
            }
            int seq = seqValue.intValue();
            AtomicLongArray current = latencies;
            if (seq < current.length()) {
                if (current.compareAndSet(seq, 0, Math.max(1, now - sent))) {
                    received.incrementAndGet();
                } else {
                    duplicates.incrementAndGet();
                }
            }
        }
        /** The latencies of the events received in the current run, unsorted. */
        long[] values(int events) {
            long[] values = new long[events];
            int n = 0;
            for (int i = 0; i < events; i++) {
                long value = latencies.get(i);
                if (value > 0) {
                    values[n++] = value;
                }
            }
            return Arrays.copyOf(values, n);
        }

        String summary(String name, int events) {
            long[] sorted = values(events);
            int n = sorted.length;
            Arrays.sort(sorted);
            return String.format(Locale.ROOT,
                    "%s: %d/%d received, %d duplicates, p50 %.2f ms, p99 %.2f ms, max %.2f ms", name, n, events,
                    duplicates.get(), millis(percentile(sorted, 50)), millis(percentile(sorted, 99)),
                    millis(n == 0 ? 0 : sorted[n - 1]));
        }

        void close() {
            socket.close();
        }

        private static long percentile(long[] sorted, int p) {
            if (sorted.length == 0) {
                return 0;
            }
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
        }

        private static double millis(long nanos) {
            return nanos / 1_000_000.0;
        }
    }
}
