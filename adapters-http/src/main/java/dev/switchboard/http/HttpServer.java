package dev.switchboard.http;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.switchboard.core.StoreUnavailableException;
import dev.switchboard.core.json.JsonCodec;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.SessionHandler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.session.NullSessionCache;
import org.eclipse.jetty.session.NullSessionDataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Javalin server that carries every route of the contract, with the edge behaviour every route shares:
 * request ids, security headers, the JSON error model (a 404/405/413 of the framework, and every error Jetty answers
 * itself, in the same shape as ours), a 1 MiB body limit, and 503 when the database is unavailable. WebSocket upgrade
 * requests go through the same edge as HTTP requests (rate limits included) before a socket route's own admission
 * check. In front of it all, {@link RequestGate} reads each body without a thread and {@link ConnectionGuard} bounds
 * connections per client and the time a request head may take ({@link HttpSettings}).
 *
 * <p>Built once from its route groups and started; {@link #close()} stops it. Request handling is concurrent.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    /** The header that makes Javalin treat a request as a WebSocket upgrade. */
    private static final String WEBSOCKET_VERSION = "Sec-WebSocket-Version";

    /** How often late heads and slow bodies are looked for: the deadlines are kept to within this. */
    private static final long SWEEP_MILLIS = 250;

    private final Javalin javalin;
    private final EdgeFilters edge;
    private final ScheduledExecutorService deadlines;

    private HttpServer(Javalin javalin, EdgeFilters edge, ScheduledExecutorService deadlines) {
        this.javalin = javalin;
        this.edge = edge;
        this.deadlines = deadlines;
    }

    /**
     * The JSON mapper of every request body and answer: the server's one JSON configuration ({@link JsonCodec}, with
     * its limits on what is read) plus snake_case names, ISO-8601 instants and unknown input fields ignored.
     */
    public static ObjectMapper objectMapper() {
        return JsonCodec.builder()
                .addModule(new JavaTimeModule())
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();
    }

    /** Builds and starts the server with {@code groups} and {@link EdgePolicy#defaults()}. */
    public static HttpServer start(HttpSettings settings, List<RouteGroup> groups) {
        return start(settings, EdgePolicy.defaults(), groups);
    }

    /**
     * Builds and starts the server with {@code groups} behind {@code policy} (client address, https, CORS, rate
     * limits, request log and metrics, {@code /ready}, {@code /metrics}); returns once it accepts connections.
     */
    public static HttpServer start(HttpSettings settings, EdgePolicy policy, List<RouteGroup> groups) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(groups, "groups");
        EdgeFilters edge = new EdgeFilters(policy);
        JsonErrorHandler errors = new JsonErrorHandler(settings.maxBodyBytes());
        ConnectionGuard guard = new ConnectionGuard(settings, policy.clientAddress());
        RequestGate gate = new RequestGate(settings, guard);
        ApiDescription openApi = ApiDescription.openApi();
        ApiDescription asyncApi = ApiDescription.asyncApi();
        Javalin javalin = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = settings.maxBodyBytes();
            config.http.prefer405over404 = true;
            config.router.ignoreTrailingSlashes = true;
            config.jsonMapper(new JavalinJackson(objectMapper(), false));
            config.jetty.addConnector((server, http) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(settings.host());
                connector.setPort(settings.port());
                connector.addEventListener(guard);
                return connector;
            });
            config.jetty.modifyServer(server -> {
                server.setStopTimeout(5_000);
                // errors Jetty answers before Javalin runs (unparsable or oversized heads, unreadable bodies)
                server.setErrorHandler(errors);
                server.insertHandler(gate);
                // Jetty waits for requests in flight on stop (up to the stop timeout) only behind a graceful handler
                server.insertHandler(new GracefulHandler());
            });
            config.jetty.modifyServletContextHandler(handler -> {
                keepNoSessions(handler);
                // errors the servlet layer sends (an upgrade request for a path without a socket)
                handler.setErrorHandler(errors);
            });
            config.jetty.modifyHttpConfiguration(http -> {
                http.setSendServerVersion(false);
                http.setSendXPoweredBy(false);
            });

            config.routes.before(ctx -> {
                edge.begin(ctx);
                long declared = ctx.req().getContentLengthLong();
                if (declared > settings.maxBodyBytes()) {
                    throw Problems.payloadTooLarge(settings.maxBodyBytes());
                }
            });
            config.routes.after(ctx -> {
                edge.after(ctx);
                Edge.end(ctx);
            });
            config.requestLogger.http(edge::log);
            // Javalin runs no HTTP filter on a WebSocket upgrade request: the same edge (request id, client address,
            // https, rate limits) runs here, before any route's own upgrade check, and the same access line after
            config.routes.wsBeforeUpgrade(edge::begin);
            config.requestLogger.ws(ws -> ws.onUpgrade(edge::log));

            config.routes.get("/", ctx -> ctx.json(Map.of("message", "CTI Server is running")));
            config.routes.get("/health", ctx -> ctx.json(Map.of("status", "ok")));
            config.routes.get("/ready", edge::ready);
            config.routes.get("/metrics", edge::metrics);
            config.routes.get(ApiDescription.OPENAPI_PATH, openApi::serve);
            config.routes.get(ApiDescription.ASYNCAPI_PATH, asyncApi::serve);
            groups.forEach(group -> group.addTo(config.routes));

            config.routes.exception(Problem.class, HttpServer::answer);
            config.routes.exception(EdgeAnswer.class, EdgeAnswer::writeTo);
            config.routes.exception(StoreUnavailableException.class, (e, ctx) -> {
                LOG.warn("database unavailable: {}", e.getMessage());
                answer(Problems.unavailable("The service is temporarily unavailable; please retry."), ctx);
            });
            config.routes.exception(HttpResponseException.class,
                    (e, ctx) -> answer(translate(e, settings.maxBodyBytes()), ctx));
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("unhandled failure on {} {}", ctx.method(), ctx.endpoint() == null ? "" : ctx.path(), e);
                answer(Problems.internal(), ctx);
            });
        });
        try {
            javalin.start();
        } catch (RuntimeException e) {
            edge.close();
            throw e;
        }
        ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "switchboard-http-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        deadlines.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            guard.sweep(now);
            gate.sweep(now);
        }, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        return new HttpServer(javalin, edge, deadlines);
    }

    /**
     * Javalin opens a servlet session for every WebSocket upgrade request, refused or not, to copy its attributes
     * for the socket, and Jetty keeps sessions in memory with no expiry by default: each upgrade would leave one
     * behind for good. Switchboard uses no servlet session, so none is kept, and no {@code JSESSIONID} cookie is set.
     */
    private static void keepNoSessions(ServletContextHandler handler) {
        SessionHandler sessions = handler.getSessionHandler();
        NullSessionCache cache = new NullSessionCache(sessions);
        cache.setSessionDataStore(new NullSessionDataStore());
        sessions.setSessionCache(cache);
        sessions.setUsingCookies(false);
    }

    /** Writes a problem as the contract's JSON error, with its headers and the edge headers. */
    static void answer(Problem problem, Context ctx) {
        if (ctx.attribute(Edge.REQUEST_ID_ATTRIBUTE) == null) {
            Edge.begin(ctx);
        }
        Edge.securityHeaders(ctx);
        problem.headers().forEach(ctx::header);
        Map<String, String> body = problem.body();
        ctx.status(problem.status()).json(body);
        if (ctx.req().getHeader(WEBSOCKET_VERSION) != null) {
            writeRefusedUpgrade(ctx, body);
        }
    }

    /**
     * Javalin sends no result for a WebSocket upgrade request that a handler refused (it writes the status and the
     * headers only), so the error's JSON is written to the response here.
     */
    private static void writeRefusedUpgrade(Context ctx, Map<String, String> body) {
        byte[] json = ctx.jsonMapper().toJsonString(body, Map.class).getBytes(StandardCharsets.UTF_8);
        try {
            ctx.res().setContentLength(json.length);
            ctx.res().getOutputStream().write(json);
        } catch (IOException e) {
            // the client is gone; it has nobody left to read the answer
            LOG.debug("could not write a refused upgrade's answer: {}", e.getClass().getSimpleName());
        }
    }

    /** The framework's own errors (no route, wrong method, body too large) in our error model. */
    private static Problem translate(HttpResponseException e, long maxBodyBytes) {
        int status = e.getStatus();
        if (status == HttpStatus.NOT_FOUND.getCode()) {
            return Problems.notFound("not_found", "No route matches this path.");
        }
        if (status == HttpStatus.METHOD_NOT_ALLOWED.getCode()) {
            return Problems.methodNotAllowed(String.join(", ", e.getDetails().values()));
        }
        if (status == HttpStatus.CONTENT_TOO_LARGE.getCode()) {
            return Problems.payloadTooLarge(maxBodyBytes);
        }
        if (status >= 400 && status < 500) {
            return new Problem(status, "bad_request", "The request could not be understood.", Map.of());
        }
        return Problems.internal();
    }

    /** Starts a server with only the built-in routes ({@code /}, the probes and the API description documents). */
    public static HttpServer start(String host, int port) {
        return start(HttpSettings.of(host, port), List.of());
    }

    /** The port the server listens on, useful when it was started on port 0. */
    public int port() {
        return javalin.port();
    }

    /**
     * Every HTTP route this server registered, as {@code "METHOD /path"} with Javalin's path syntax (e.g.
     * {@code "GET /api/calls/{id}"}), sorted; filters and WebSocket routes are not included. The API description's
     * tests compare it with the documented operations.
     */
    public List<String> httpRoutes() {
        return javalin.unsafe.internalRouter.allHttpHandlers().stream()
                .map(parsed -> parsed.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod())
                .map(endpoint -> endpoint.method.name() + " " + endpoint.path)
                .sorted()
                .toList();
    }

    /**
     * Starts the drain before a stop: {@code /ready} answers 503 from now on, so that load balancers stop sending
     * here, while every route (probes included) is still served until {@link #close()}.
     */
    public void drain() {
        edge.drain();
    }

    /**
     * Stops accepting connections, lets the requests in flight finish (up to five seconds; a request that only waits
     * for the intake's group commit takes milliseconds), then stops.
     */
    @Override
    public void close() {
        deadlines.shutdownNow();
        try {
            javalin.stop();
        } finally {
            edge.close();
        }
    }
}
