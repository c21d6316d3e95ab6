package dev.switchboard.http;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every request, in front of Javalin, for what must be settled before a request thread is
 * given to a route:
 * <ul>
 *   <li>a request on a connection over its client's connection limit ({@link ConnectionGuard}) is answered 429;
 *   <li>a path or query with a {@code %} that is not followed by two hex digits (such as {@code %u002e}) is answered
 *       400, since the routes' decoding would fail on it;
 *   <li>a {@code Content-Type} whose {@code charset} is unknown or not a charset name is answered 415, since reading
 *       the body as text would fail on it;
 *   <li>the body is read in full, without holding a thread, before the route runs: a declared or actual length over
 *       the limit is 413, a malformed chunked body 400, and a body that does not arrive within the body deadline or
 *       at the minimum rate 408. The route then reads it from memory.
 * </ul>
 * So a client that sends its body slowly costs a connection and a buffer, never a request thread. Every refusal is the
 * contract's JSON error ({@link JsonErrorHandler}); refusals that leave a body unread close the connection.
 *
 * <p>Thread-safe. {@link #sweep(long)} is called periodically to cut bodies that are late or too slow.
 */
final class RequestGate extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(RequestGate.class);
    /** The rate is averaged from this long after the head, so a body may take a moment (or a burst) to start. */
    private static final long RATE_GRACE_NANOS = 2_000_000_000L;
    private static final int INITIAL_BUFFER = 8192;

    private final HttpSettings settings;
    private final ConnectionGuard guard;
    private final Set<BodyRead> reading = ConcurrentHashMap.newKeySet();

    RequestGate(HttpSettings settings, ConnectionGuard guard) {
        this.settings = settings;
        this.guard = guard;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (guard.refused(request.getConnectionMetaData().getConnection())) {
            refuse(request, response, callback, Problems.tooManyRequests(
                    "Too many connections from this address. Please try again later.", 1, Map.of()));
            return true;
        }
        if (!wellEncoded(request.getHttpURI().getPath()) || !wellEncoded(request.getHttpURI().getQuery())) {
            refuse(request, response, callback, Problems.badRequest("invalid_uri",
                    "The request URI is not correctly percent-encoded."));
            return true;
        }
        if (!supportedCharset(request.getHeaders().get(HttpHeader.CONTENT_TYPE))) {
            refuse(request, response, callback, Problems.unsupportedMediaType("in a supported charset"));
            return true;
        }
        long declared = request.getLength();
        boolean chunked = request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        if (declared > settings.maxBodyBytes()) {
            refuse(request, response, callback, Problems.payloadTooLarge(settings.maxBodyBytes()));
            return true;
        }
        if (declared <= 0 && !chunked) {
            return super.handle(request, response, callback);
        }
        BodyRead body = new BodyRead(request, response, callback, declared);
        reading.add(body);
        body.run();
        return true;
    }

    /** Answers 408 to every body past its deadline or below the minimum rate at {@code nowNanos}. */
    void sweep(long nowNanos) {
        for (BodyRead body : reading) {
            long elapsed = nowNanos - body.startNanos;
            boolean late = elapsed > settings.bodyTimeout().toNanos();
            long expected = (elapsed - RATE_GRACE_NANOS) / 1_000_000L * settings.minBodyBytesPerSecond() / 1000L;
            boolean slow = settings.minBodyBytesPerSecond() > 0 && elapsed > RATE_GRACE_NANOS
                    && body.received < expected;
            if (late || slow) {
                LOG.debug("cutting a request body that is {}", late ? "late" : "too slow");
                body.fail(new Problem(408, "request_timeout", "The request body did not arrive in time.",
                        Map.of()));
            }
        }
    }

    private static void refuse(Request request, Response response, Callback callback, Problem problem) {
        JsonErrorHandler.write(request, response, callback, problem, true);
    }

    /** True unless a {@code %} in {@code raw} is not followed by two hex digits. */
    static boolean wellEncoded(String raw) {
        if (raw == null) {
            return true;
        }
        for (int i = raw.indexOf('%'); i >= 0; i = raw.indexOf('%', i + 3)) {
            if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                    || Character.digit(raw.charAt(i + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code contentType} names no charset or one this JVM can decode. */
    static boolean supportedCharset(String contentType) {
        if (contentType == null) {
            return true;
        }
        for (String parameter : contentType.split(";")) {
            int equals = parameter.indexOf('=');
            if (equals < 0 || !parameter.substring(0, equals).strip().equalsIgnoreCase("charset")) {
                continue;
            }
            String name = parameter.substring(equals + 1).strip();
            if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                name = name.substring(1, name.length() - 1);
            }
            try {
                if (!Charset.isSupported(name)) {
                    return false;
                }
            } catch (IllegalArgumentException e) {
                // IllegalCharsetNameException: not even a charset name
                return false;
            }
        }
        return true;
    }

    /** One body being read: the demand callback reads what has arrived and asks for more until the last chunk. */
    private final class BodyRead implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;
        private final long startNanos = System.nanoTime();
        private final AtomicBoolean finished = new AtomicBoolean();
        private byte[] buffer;
        private int length;
        private volatile long received;

        BodyRead(Request request, Response response, Callback callback, long declared) {
            this.request = request;
            this.response = response;
            this.callback = callback;
            this.buffer = new byte[(int) Math.min(settings.maxBodyBytes(), declared > 0 ? declared : INITIAL_BUFFER)];
        }

        @Override
        public void run() {
            while (!finished.get()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    fail(problemOf(chunk.getFailure()));
                    return;
                }
                boolean fits = append(chunk.getByteBuffer());
                boolean last = chunk.isLast();
                chunk.release();
                if (!fits) {
                    fail(Problems.payloadTooLarge(settings.maxBodyBytes()));
                    return;
                }
                if (last) {
                    complete();
                    return;
                }
            }
        }

        private boolean append(ByteBuffer bytes) {
            int size = bytes.remaining();
            if ((long) length + size > settings.maxBodyBytes()) {
                return false;
            }
            if (length + size > buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(settings.maxBodyBytes(),
                        Math.max((long) buffer.length * 2, (long) length + size)));
            }
            bytes.get(buffer, length, size);
            length += size;
            received = length;
            return true;
        }

        private void complete() {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            reading.remove(this);
            Request buffered = new BufferedRequest(request, ByteBuffer.wrap(buffer, 0, length));
            try {
                if (!RequestGate.super.handle(buffered, response, callback)) {
                    Response.writeError(request, response, callback, 404);
                }
            } catch (Throwable failure) {
                Response.writeError(request, response, callback, failure);
            }
        }

        void fail(Problem problem) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            reading.remove(this);
            refuse(request, response, callback, problem);
        }
    }

    private Problem problemOf(Throwable failure) {
        if (failure instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
            return JsonErrorHandler.problemFor(http.getCode(), settings.maxBodyBytes());
        }
        if (failure instanceof TimeoutException) {
            return JsonErrorHandler.problemFor(408, settings.maxBodyBytes());
        }
        return Problems.badRequest("bad_request", "The request body could not be read.");
    }

    /** The request with its body already in memory: one last chunk, then the end. */
    private static final class BufferedRequest extends Request.Wrapper {
        private volatile Content.Chunk next;

        BufferedRequest(Request request, ByteBuffer body) {
            super(request);
            this.next = Content.Chunk.from(body, true);
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = next;
            next = Content.Chunk.EOF;
            return chunk;
        }

        @Override
        public void demand(Runnable demandCallback) {
            // the whole body is here: whoever asks can read at once
            demandCallback.run();
        }

        @Override
        public boolean consumeAvailable() {
            next = Content.Chunk.EOF;
            return true;
        }
    }
}
