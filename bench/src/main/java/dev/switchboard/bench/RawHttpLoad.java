package dev.switchboard.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A closed-loop HTTP/1.1 load generator on plain sockets: {@code clients} keep-alive connections, each writing a
 * prepared request and reading its answer before the next. Far lighter than a general HTTP client, so on a small
 * machine most of the CPU goes to the server being measured. Records the latency of every expected answer.
 */
final class RawHttpLoad {
    /** Gives the bytes of request number {@code index} (numbered across all connections from 0). */
    @FunctionalInterface
    interface RequestSource {
        byte[] request(int index);
    }

    /**
     * What one load run measured.
     *
     * @param requests  answers read
     * @param errors    answers whose status was not the expected one, plus connections that broke
     * @param elapsed   wall time of the run
     * @param latencies nanoseconds of each expected answer, sorted
     */
    record Result(long requests, long errors, Duration elapsed, long[] latencies) {
        double perSecond() {
            return requests / (elapsed.toNanos() / 1e9);
        }

        /** Expected answers per second. */
        double okPerSecond() {
            return latencies.length / (elapsed.toNanos() / 1e9);
        }

        /** The {@code p}th percentile latency in milliseconds (nearest rank), 0 without answers. */
        double percentileMillis(double p) {
            if (latencies.length == 0) {
                return 0;
            }
            int rank = (int) Math.ceil(p / 100.0 * latencies.length) - 1;
            return latencies[Math.max(0, Math.min(latencies.length - 1, rank))] / 1e6;
        }

        double maxMillis() {
            return latencies.length == 0 ? 0 : latencies[latencies.length - 1] / 1e6;
        }
    }

    private RawHttpLoad() {
    }

    /** Prints one line of a result: rate, non-expected answers and latency percentiles. */
    static String describe(Result result) {
        return String.format(Locale.ROOT, "%,.0f req/s (%d answers in %.1f s, %d unexpected), "
                        + "p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                result.perSecond(), result.requests(), result.elapsed().toNanos() / 1e9, result.errors(),
                result.percentileMillis(50), result.percentileMillis(99), result.maxMillis());
    }

    /**
     * Runs {@code clients} connections to {@code port} on the loopback address until {@code duration} has passed or
     * {@code maxRequests} were sent in all; an answer other than {@code expected} counts as an error.
     */
    static Result run(int port, int clients, Duration duration, int maxRequests, int expected, RequestSource source)
            throws Exception {
        return run(port, clients, duration, maxRequests, expected, 0, source);
    }

    /**
     * Sends {@code requests} requests at {@code perSecond} in all (request {@code i} is due {@code i / perSecond}
     * seconds after the start) over {@code clients} connections, each waiting for its answer before its next
     * request; a request whose connection is still busy when it is due goes out late.
     */
    static Result paced(int port, int clients, int requests, int perSecond, int expected, RequestSource source)
            throws Exception {
        return run(port, clients, Duration.ofDays(1), requests, expected, 1_000_000_000L / perSecond, source);
    }

    private static Result run(int port, int clients, Duration duration, int maxRequests, int expected,
                              long intervalNanos, RequestSource source) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger sent = new AtomicInteger();
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        Pace pace = new Pace(start, intervalNanos);
        List<Future<Client>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> drive(port, deadline, maxRequests, expected, source, sent, pace)));
        }
        long requests = 0;
        long errors = 0;
        List<long[]> parts = new ArrayList<>();
        int total = 0;
        for (Future<Client> future : futures) {
            Client client = future.get();
            requests += client.requests;
            errors += client.errors;
            parts.add(Arrays.copyOf(client.latencies, client.count));
            total += client.count;
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        pool.shutdown();
        long[] all = new long[total];
        int offset = 0;
        for (long[] part : parts) {
            System.arraycopy(part, 0, all, offset, part.length);
            offset += part.length;
        }
        Arrays.sort(all);
        return new Result(requests, errors, elapsed, all);
    }

    private static final class Client {
        long requests;
        long errors;
        long[] latencies = new long[1 << 14];
        int count;

        void record(long nanos) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = nanos;
        }
    }

    /** When request {@code index} is due: at once when {@code intervalNanos} is 0 (a closed loop). */
    private record Pace(long start, long intervalNanos) {
        void await(int index) {
            if (intervalNanos > 0) {
                long wait = start + index * intervalNanos - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        }
    }

    private static Client drive(int port, long deadline, int maxRequests, int expected, RequestSource source,
                                AtomicInteger sent, Pace pace) {
        Client client = new Client();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            int index;
            while (System.nanoTime() < deadline && (index = sent.getAndIncrement()) < maxRequests) {
                pace.await(index);
                byte[] request = source.request(index);
                long begin = System.nanoTime();
                out.write(request);
                out.flush();
                int status = readResponse(in);
                long took = System.nanoTime() - begin;
                client.requests++;
                if (status == expected) {
                    client.record(took);
                } else {
                    client.errors++;
                }
            }
        } catch (IOException e) {
            client.errors++;
        }
        return client;
    }

    /** Reads one HTTP/1.1 response (Content-Length or chunked body) and returns its status. */
    private static int readResponse(InputStream in) throws IOException {
        String statusLine = readLine(in);
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(line.substring(15).strip());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(readLine(in).strip(), 16); size > 0;
                 size = Long.parseLong(readLine(in).strip(), 16)) {
                skip(in, size);
                readLine(in);
            }
            readLine(in);
        } else if (length > 0) {
            skip(in, length);
        }
        return status;
    }

    private static void skip(InputStream in, long bytes) throws IOException {
        long left = bytes;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed inside a body");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
