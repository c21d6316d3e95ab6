package dev.switchboard.dialpad;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPRequest;
import com.nimbusds.oauth2.sdk.http.ReadOnlyHTTPResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the requests Nimbus builds through the JDK's {@link HttpClient}, with the configured timeouts, and turns
 * every network failure into a {@link DialpadReply.Failed} with a sentence of our own.
 *
 * <p>Why not Nimbus's default {@code HttpURLConnection} sender: that one silently re-sends a POST once when a
 * connection breaks after the request was written ({@code sun.net.http.retryPost}), and a repeated refresh request
 * would present a single-use refresh token twice. The JDK client never retries a POST and never follows redirects.
 * Only the call kind, the status and the duration are logged: never a URL with parameters, a header or a body.
 * Thread-safe.
 */
final class DialpadTransport {
    /** Largest answer read; Dialpad's answers are a few kilobytes. */
    static final int MAX_BODY_BYTES = 256 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(DialpadTransport.class);
    // The JDK client sets these itself and refuses them as request headers.
    private static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host",
            "upgrade");
    private static final Duration GUARD_MARGIN = Duration.ofMillis(250);

    private final HttpClient client;
    private final Duration requestTimeout;

    private DialpadTransport(HttpClient client, Duration requestTimeout) {
        this.client = client;
        this.requestTimeout = requestTimeout;
    }

    /**
     * A transport that waits at most {@code connectTimeout} for a connection and at most
     * {@code connectTimeout + readTimeout} for the whole answer.
     */
    static DialpadTransport create(Duration connectTimeout, Duration readTimeout) {
        checkTimeouts(connectTimeout, readTimeout);
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        return new DialpadTransport(client, connectTimeout.plus(readTimeout));
    }

    static void checkTimeouts(Duration connectTimeout, Duration readTimeout) {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        if (connectTimeout.isZero() || connectTimeout.isNegative() || readTimeout.isZero()
                || readTimeout.isNegative()) {
            throw new IllegalArgumentException("Dialpad timeouts must be positive");
        }
        if (connectTimeout.compareTo(Duration.ofMinutes(1)) > 0 || readTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("Dialpad timeouts must be at most one minute");
        }
    }

    /** Sends {@code request}; never throws for what the network or Dialpad does. */
    DialpadReply send(DialpadCall call, HTTPRequest request) {
        return send(call, request, request.getMethod().name());
    }

    /**
     * As {@link #send(DialpadCall, HTTPRequest)}, with {@code method} on the wire instead of the request's own: the
     * request type knows no PATCH, which Dialpad's webhook update needs.
     */
    DialpadReply send(DialpadCall call, HTTPRequest request, String method) {
        long started = System.nanoTime();
        try {
            HTTPResponse response = request.send(sent -> exchange(sent, method));
            LOG.debug("Dialpad {} answered {} in {} ms", call, response.getStatusCode(), millisSince(started));
            return new DialpadReply.Answered(response);
        } catch (IOException failure) {
            String reason = describe(failure);
            LOG.info("Dialpad {} failed after {} ms: {}", call, millisSince(started), reason);
            return new DialpadReply.Failed(reason);
        }
    }

    private ReadOnlyHTTPResponse exchange(ReadOnlyHTTPRequest request, String method) throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.getURI()).timeout(requestTimeout);
        for (Map.Entry<String, List<String>> header : request.getHeaderMap().entrySet()) {
            if (!RESTRICTED_HEADERS.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                header.getValue().forEach(value -> builder.header(header.getKey(), value));
            }
        }
        String body = request.getBody();
        HttpRequest.BodyPublisher publisher = body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
        builder.method(method, publisher);

        CompletableFuture<HttpResponse<byte[]>> pending = client.sendAsync(builder.build(), info -> new CappedBody());
        HttpResponse<byte[]> answer;
        try {
            // The request timeout covers connecting and the headers; this guard also bounds a body sent slowly.
            answer = pending.get(requestTimeout.plus(GUARD_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException timeout) {
            pending.cancel(true);
            throw new HttpTimeoutException("no complete answer in time");
        } catch (InterruptedException interrupted) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for Dialpad");
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("the HTTP exchange failed", failed.getCause());
        }

        HTTPResponse response = new HTTPResponse(answer.statusCode());
        answer.headers().firstValue("content-type").ifPresent(type -> response.setHeader("Content-Type", type));
        response.setBody(new String(answer.body(), StandardCharsets.UTF_8));
        return response;
    }

    private static String describe(IOException failure) {
        // Our own sentences only: exception messages may quote hosts, paths or fragments of an answer.
        if (failure instanceof HttpConnectTimeoutException) {
            return "Dialpad could not be reached within the connect timeout";
        }
        if (failure instanceof HttpTimeoutException) {
            return "Dialpad did not answer within the timeout";
        }
        if (failure instanceof ConnectException) {
            return "Dialpad refused or dropped the connection";
        }
        if (failure instanceof AnswerTooLargeException) {
            return "Dialpad's answer was larger than " + MAX_BODY_BYTES + " bytes";
        }
        if (failure instanceof InterruptedIOException) {
            return "the call to Dialpad was interrupted";
        }
        return "a network error interrupted the call to Dialpad (" + failure.getClass().getSimpleName() + ")";
    }

    private static long millisSince(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    /** Collects an answer's bytes and gives up beyond {@link #MAX_BODY_BYTES}. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > MAX_BODY_BYTES) {
                    subscription.cancel();
                    result.completeExceptionally(new AnswerTooLargeException());
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable failure) {
            result.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }

    private static final class AnswerTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        AnswerTooLargeException() {
            super("answer too large");
        }
    }
}
