package dev.switchboard.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The answer Jetty itself gives when it refuses a request before any route runs (a request line, URI or header
 * block it cannot parse or that is too large, a body it cannot read) or when the servlet layer sends an error (an
 * upgrade request on a path with no socket): the contract's JSON error with the security headers and a request id,
 * instead of Jetty's HTML page. Nothing of the request, Jetty's reason text or an exception is ever put in it.
 *
 * <p>A malformed request never gets a 5xx: Jetty's 501 and 505 for an unknown transfer coding or protocol version
 * are answered 400. Stateless and thread-safe.
 */
final class JsonErrorHandler extends ErrorHandler {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final long maxBodyBytes;

    JsonErrorHandler(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus();
        Object cause = request.getAttribute(ERROR_EXCEPTION);
        if (cause instanceof HttpException http) {
            status = http.getCode();
        }
        boolean clientFault = cause instanceof HttpException || status < 500;
        if (clientFault && (status == HttpStatus.NOT_IMPLEMENTED_501
                || status == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505 || status < 400)) {
            status = HttpStatus.BAD_REQUEST_400;
        }
        write(request, response, callback, problemFor(status, maxBodyBytes), false);
        return true;
    }

    /** The contract's error for a status that Jetty or the edge decided. */
    static Problem problemFor(int status, long maxBodyBytes) {
        return switch (status) {
            case 400 -> Problems.badRequest("bad_request", "The request could not be understood.");
            case 404 -> Problems.notFound("not_found", "No route matches this path.");
            case 405 -> Problems.methodNotAllowed("");
            case 408 -> new Problem(408, "request_timeout", "The request did not arrive in time.", Map.of());
            case 413 -> Problems.payloadTooLarge(maxBodyBytes);
            case 414 -> new Problem(414, "uri_too_long", "The request URI is too long.", Map.of());
            case 415 -> Problems.unsupportedMediaType("of a supported type");
            case 429 -> Problems.tooManyRequests(RateLimiting.GENERAL_MESSAGE, 1, Map.of());
            case 431 -> new Problem(431, "headers_too_large", "The request headers are too large.", Map.of());
            case 503 -> Problems.unavailable("The service is temporarily unavailable; please retry.");
            default -> status >= 400 && status < 500
                    ? new Problem(status, "bad_request", "The request could not be understood.", Map.of())
                    : Problems.internal();
        };
    }

    /**
     * Writes {@code problem} as the complete answer: status, JSON body, security headers and a request id (the
     * caller's when well formed). With {@code close}, the connection is closed after it, for a request whose body
     * was not read to its end.
     */
    static void write(Request request, Response response, Callback callback, Problem problem, boolean close) {
        response.setStatus(problem.status());
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(Edge.REQUEST_ID_HEADER, Edge.requestIdFor(request.getHeaders().get(Edge.REQUEST_ID_HEADER)));
        Edge.SECURITY_HEADERS.forEach(headers::put);
        problem.headers().forEach(headers::put);
        headers.put(HttpHeader.CONTENT_TYPE, "application/json");
        if (close) {
            headers.put(HttpHeader.CONNECTION, "close");
        }
        byte[] body = json(problem);
        headers.put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static byte[] json(Problem problem) {
        try {
            return MAPPER.writeValueAsBytes(problem.body());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("two strings always serialise", e);
        }
    }
}
