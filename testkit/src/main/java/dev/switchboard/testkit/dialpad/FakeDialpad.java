package dev.switchboard.testkit.dialpad;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.switchboard.testkit.dialpad.HttpMessages.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fake Dialpad that speaks real HTTP on a random loopback port, as strict as DIALPAD.md says the real one is, for
 * tests, benchmarks and local demos. Point the server under test's {@code DIALPAD_SANDBOX_BASE_URL} at
 * {@link #baseUrl()}; every path hangs off it as at Dialpad.
 *
 * <h2>What it checks</h2>
 * <ul>
 *   <li>{@code GET /oauth2/authorize} (RFC 6749 §4.1.1, RFC 7636 §4.3): a registered client, a redirect URI
 *       registered for it (exact match, never redirected to otherwise), {@code response_type=code}, a code challenge
 *       ({@code S256}, or {@code plain} unless {@link #rejectPlainPkce(boolean) rejected}). It then plays the user:
 *       302 to the redirect URI with {@code code} and the same {@code state}, or {@code error=access_denied} when
 *       told to {@link #denyConsent(boolean) deny}.</li>
 *   <li>{@code POST /oauth2/token} (RFC 6749 §4.1.3, §6; RFC 7636 §4.6): form or JSON body; client authenticated
 *       by {@code client_id}/{@code client_secret} in the body or HTTP Basic, never both; codes single-use (a
 *       reuse is counted and revokes what the code granted, §4.1.2), bound to client and redirect URI, expiring
 *       after {@link Settings#codeLifetime()}, with the verifier checked against the stored challenge; refresh
 *       tokens single-use and rotating (a reuse answers {@code invalid_grant} and is counted). Errors have the
 *       shape of §5.2.</li>
 *   <li>{@code POST /oauth2/deauthorize} with the access token as Bearer: 204 and the whole grant revoked; 401
 *       for an unknown, expired or revoked token.</li>
 *   <li>{@code GET /api/v2/company}, {@code /api/v2/webhooks[/id]}, {@code /api/v2/subscriptions/{call,sms}[/id]}:
 *       a live Bearer token required; each grant belongs to an organisation, and resources are kept per
 *       organisation. {@code PATCH /api/v2/webhooks/{id}} changes a webhook's {@code hook_url} and/or
 *       {@code secret}.</li>
 * </ul>
 *
 * <h2>What it can be told</h2>
 * Fail the next N or all requests of an {@link DialpadEndpoint} with any status and body, be slow, deny consent,
 * omit the refresh token, vary {@code token_type} and {@code expires_in}, move its clock. All switches take effect
 * at once and are safe to flip while requests are running.
 *
 * <h2>What it counts</h2>
 * Code exchanges, refreshes (successes and failures), refresh-token and code reuse, deauthorizations, company
 * lookups, requests per path, in-flight requests and their peak, and the last request (per path) for assertions.
 * The fake logs nothing: requests carry tokens and secrets.
 *
 * <p>Thread-safe. Requests are served by a fixed pool of {@link Settings#threads()} threads, so that many slow
 * requests can be in flight at once without one thread per connection. Loading this class sets two JDK HttpServer
 * properties unless they are already set: {@code sun.net.httpserver.nodelay=true} (otherwise every answer waits
 * ~40 ms for a delayed ACK) and {@code sun.net.httpserver.maxIdleConnections=16384} (otherwise, past 200 idle
 * connections, kept-alive connections are closed under clients that reuse them). The JDK reads both once, when the
 * JVM's first JDK HttpServer is created.
 */
public final class FakeDialpad implements AutoCloseable {
    /** The organisation a consent grants unless told otherwise. */
    public static final long DEFAULT_ORGANISATION_ID = 5_000_000_000_000_001L;
    /**
     * Request header that only {@link #consent(String, long)} sends: the organisation this one consent grants (a real
     * browser never sends it; it lets concurrent flows grant different organisations without racing).
     */
    public static final String ORGANISATION_HEADER = "X-Fake-Dialpad-Organisation-Id";

    private static final int MAX_BODY_BYTES = 1 << 20;
    private static final String MAX_IDLE_CONNECTIONS = "sun.net.httpserver.maxIdleConnections";
    private static final String NO_DELAY = "sun.net.httpserver.nodelay";

    static {
        // Both are read once, when the JVM's first JDK HttpServer is created, so they are set before that.
        // Past 200 idle keep-alive connections (the JDK default) the JDK server closes a connection right after
        // answering on it, without "Connection: close", so a client reusing it at once fails with no response.
        if (System.getProperty(MAX_IDLE_CONNECTIONS) == null) {
            System.setProperty(MAX_IDLE_CONNECTIONS, "16384");
        }
        // The server writes headers and body separately; with Nagle's algorithm on, each answer then waits about
        // 40 ms for the client's delayed ACK, which would swamp any latency a test asks for.
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
    }

    /**
     * How to start the fake.
     *
     * @param clock                  the fake's time source (codes and access tokens expire by it), shifted further
     *                               by {@link FakeDialpad#advanceTime(Duration)}
     * @param random                 source of codes and tokens
     * @param threads                size of the request thread pool: the most requests served at once
     * @param codeLifetime           how long an authorization code stays valid
     * @param defaultOrganisationId  the organisation a consent grants unless told otherwise
     */
    public record Settings(Clock clock, SecureRandom random, int threads, Duration codeLifetime,
                           long defaultOrganisationId) {
        public Settings {
            Objects.requireNonNull(clock, "clock");
            Objects.requireNonNull(random, "random");
            Objects.requireNonNull(codeLifetime, "codeLifetime");
            if (threads < 1 || threads > 4096) {
                throw new IllegalArgumentException("threads must be between 1 and 4096");
            }
            if (codeLifetime.isNegative() || codeLifetime.isZero()) {
                throw new IllegalArgumentException("codeLifetime must be positive");
            }
        }

        /** System UTC clock, a new SecureRandom, 256 threads, 10 minute codes, {@link #DEFAULT_ORGANISATION_ID}. */
        public static Settings defaults() {
            return new Settings(Clock.systemUTC(), new SecureRandom(), 256, Duration.ofMinutes(10),
                    DEFAULT_ORGANISATION_ID);
        }

        /** These settings with another clock. */
        public Settings withClock(Clock value) {
            return new Settings(value, random, threads, codeLifetime, defaultOrganisationId);
        }

        /** These settings with another pool size. */
        public Settings withThreads(int value) {
            return new Settings(clock, random, value, codeLifetime, defaultOrganisationId);
        }

        /** These settings with another code lifetime. */
        public Settings withCodeLifetime(Duration value) {
            return new Settings(clock, random, threads, value, defaultOrganisationId);
        }
    }

    private final Settings settings;
    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final OAuthServer oauth;
    private final ApiResources api = new ApiResources();
    private final AtomicReference<Duration> clockOffset = new AtomicReference<>(Duration.ZERO);
    private final HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private final WebhookSender webhookSender = WebhookSender.create();

    private final Map<DialpadEndpoint, Fault> faults = new ConcurrentHashMap<>();
    private final Map<DialpadEndpoint, Duration> latencies = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> requestsPerPath = new ConcurrentHashMap<>();
    private final Map<String, RecordedRequest> lastRequestPerPath = new ConcurrentHashMap<>();
    private final AtomicReference<RecordedRequest> lastRequest = new AtomicReference<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final LongAdder companyLookups = new LongAdder();
    private final LongAdder injectedFaults = new LongAdder();

    private FakeDialpad(Settings settings, HttpServer server, ThreadPoolExecutor executor) {
        this.settings = settings;
        this.server = server;
        this.executor = executor;
        this.oauth = new OAuthServer(this::now, settings.random(), settings.codeLifetime(),
                settings.defaultOrganisationId());
    }

    /** Starts a fake with {@link Settings#defaults()} on {@code 127.0.0.1} and a free port. */
    public static FakeDialpad start() {
        return start(Settings.defaults());
    }

    /**
     * Starts a fake on {@code 127.0.0.1} and a free port.
     *
     * @throws UncheckedIOException when no port can be bound
     */
    public static FakeDialpad start(Settings settings) {
        Objects.requireNonNull(settings, "settings");
        HttpServer server;
        try {
            // a deep accept backlog: load tests open hundreds of connections at once
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        } catch (IOException e) {
            throw new UncheckedIOException("could not bind the fake Dialpad", e);
        }
        AtomicLong threadNumber = new AtomicLong();
        ThreadPoolExecutor executor = new ThreadPoolExecutor(settings.threads(), settings.threads(), 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "fake-dialpad-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        executor.allowCoreThreadTimeOut(true);
        FakeDialpad fake = new FakeDialpad(settings, server, executor);
        server.createContext("/", fake::handle);
        server.setExecutor(executor);
        server.start();
        return fake;
    }

    /** {@code http://127.0.0.1:<port>}, without a trailing slash: the value for {@code DIALPAD_SANDBOX_BASE_URL}. */
    public String baseUrl() {
        return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + port();
    }

    /** {@link #baseUrl()} as a URI. */
    public URI baseUri() {
        return URI.create(baseUrl());
    }

    /** The port the fake listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The settings the fake was started with. */
    public Settings settings() {
        return settings;
    }

    /** Stops listening at once and ends the request threads. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- clients and consent ----

    /**
     * Registers (or replaces) an OAuth client.
     *
     * @throws IllegalArgumentException for a blank id or secret, or a redirect URI that is relative or has a fragment
     */
    public OAuthClient registerClient(String clientId, String clientSecret, String... redirectUris) {
        return registerClient(new OAuthClient(clientId, clientSecret, List.of(redirectUris)));
    }

    /** Registers (or replaces) an OAuth client. */
    public OAuthClient registerClient(OAuthClient client) {
        oauth.register(Objects.requireNonNull(client, "client"));
        return client;
    }

    /** Registers a client with a fresh random id and secret. */
    public OAuthClient registerNewClient(String... redirectUris) {
        byte[] bytes = new byte[16];
        settings.random().nextBytes(bytes);
        String id = "fake-client-" + HexFormat.of().formatHex(bytes, 0, 6);
        return registerClient(id, HexFormat.of().formatHex(bytes), redirectUris);
    }

    /** Answers the next authorize requests with {@code error=access_denied}, as if the user refused. */
    public void denyConsent(boolean deny) {
        oauth.denyConsent = deny;
    }

    /** Refuses {@code code_challenge_method=plain} (Dialpad accepts it; Switchboard must never send it). */
    public void rejectPlainPkce(boolean reject) {
        oauth.rejectPlainPkce = reject;
    }

    /** The organisation every consent grants unless {@link #grantNextConsentTo(long)} or a helper says otherwise. */
    public void defaultOrganisationId(long organisationId) {
        oauth.defaultOrganisationId = organisationId;
    }

    /** The current default organisation. */
    public long defaultOrganisationId() {
        return oauth.defaultOrganisationId;
    }

    /** Queues an organisation for one coming consent (first in, first out), then the default applies again. */
    public void grantNextConsentTo(long organisationId) {
        oauth.grantNextConsentTo(organisationId);
    }

    /**
     * Opens {@code authorizeUrl} as a browser would and returns where the fake sends it: the callback URL with a
     * {@code code} and {@code state} (or an {@code error}), or the refusal when there is nothing safe to redirect to.
     * The request goes over HTTP, so faults, latency and counters apply.
     *
     * @throws IllegalArgumentException when the URL does not point at this fake's authorize endpoint
     */
    public AuthorizeOutcome consent(String authorizeUrl) {
        return openAuthorize(authorizeUrl, OptionalLong.empty());
    }

    /** As {@link #consent(String)}, granting organisation {@code organisationId} for this consent only. */
    public AuthorizeOutcome consent(String authorizeUrl, long organisationId) {
        return openAuthorize(authorizeUrl, OptionalLong.of(organisationId));
    }

    /** Builds an authorize URL from {@code params} (each sent once, in order) and {@link #consent(String) opens} it. */
    public AuthorizeOutcome authorize(Map<String, String> params) {
        return consent(authorizeUrl(params));
    }

    /** This fake's authorize URL carrying {@code params}. */
    public String authorizeUrl(Map<String, String> params) {
        StringJoiner query = new StringJoiner("&");
        params.forEach((name, value) -> query.add(HttpMessages.encode(name) + "=" + HttpMessages.encode(value)));
        return baseUrl() + DialpadEndpoint.AUTHORIZE.path() + "?" + query;
    }

    private AuthorizeOutcome openAuthorize(String authorizeUrl, OptionalLong organisation) {
        URI uri = URI.create(Objects.requireNonNull(authorizeUrl, "authorizeUrl"));
        if (!authorizeUrl.startsWith(baseUrl() + DialpadEndpoint.AUTHORIZE.path() + "?")) {
            throw new IllegalArgumentException("not an authorize URL of this fake Dialpad (" + baseUrl() + ")");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        organisation.ifPresent(id -> request.header(ORGANISATION_HEADER, Long.toString(id)));
        try {
            HttpResponse<String> response = browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
            Optional<String> location = response.headers().firstValue("Location");
            if (response.statusCode() == 302 && location.isPresent()) {
                return new AuthorizeOutcome.Redirected(URI.create(location.get()));
            }
            return new AuthorizeOutcome.Refused(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("could not reach the fake Dialpad", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the authorize URL", e);
        }
    }

    // ---- tokens ----

    /**
     * Grants tokens to {@code clientId} for {@code organisationId} without a browser flow, as a completed consent
     * and code exchange would (not counted as an exchange). For seeding connections in tests and benchmarks.
     *
     * @throws IllegalArgumentException for an unregistered client
     */
    public IssuedTokens issueTokens(String clientId, long organisationId, String scope) {
        return oauth.issueTokens(clientId, organisationId, scope);
    }

    /** Lifetime of access tokens issued from now on (default one hour); what {@code expires_in} says by default. */
    public void accessTokenLifetime(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be positive");
        }
        oauth.accessTokenLifetime = lifetime;
    }

    /** What {@code expires_in} says from now on (default {@link ExpiresInField#ACTUAL}). */
    public void expiresInField(ExpiresInField field) {
        oauth.expiresInField = Objects.requireNonNull(field, "field");
    }

    /** The {@code token_type} of token responses from now on (default {@code bearer}; try {@code Bearer}). */
    public void tokenType(String tokenType) {
        oauth.tokenType = Objects.requireNonNull(tokenType, "tokenType");
    }

    /**
     * Leaves {@code refresh_token} out of token responses. A refresh answered without one does not rotate, so the
     * refresh token the client holds stays valid.
     */
    public void omitRefreshToken(boolean omit) {
        oauth.omitRefreshToken = omit;
    }

    /** Also revokes a grant when one of its old refresh tokens is replayed (off by default; RFC 9700 §4.14.2). */
    public void revokeGrantOnRefreshTokenReuse(boolean revoke) {
        oauth.revokeGrantOnRefreshTokenReuse = revoke;
    }

    /** Whether {@code accessToken} is known, unexpired and not revoked. */
    public boolean isActive(String accessToken) {
        return oauth.isActive(accessToken);
    }

    /** Whether {@code accessToken} was presented to a successful {@code POST /oauth2/deauthorize}. */
    public boolean wasDeauthorized(String accessToken) {
        return oauth.wasDeauthorized(accessToken);
    }

    /** Whether {@code refreshToken} is the current refresh token of a live grant. */
    public boolean isCurrentRefreshToken(String refreshToken) {
        return oauth.isCurrentRefreshToken(refreshToken);
    }

    /** Grants (consents and issued tokens) not revoked. */
    public long activeGrantCount() {
        return oauth.activeGrantCount();
    }

    /** {@code client_secret_basic} or {@code client_secret_post}: how the last authenticated client authenticated. */
    public Optional<String> lastClientAuthenticationMethod() {
        return Optional.ofNullable(oauth.lastClientAuthentication.get());
    }

    // ---- time ----

    /** The fake's current time: the settings' clock moved by every {@link #advanceTime(Duration)}. */
    public Instant now() {
        return settings.clock().instant().plus(clockOffset.get());
    }

    /** Moves the fake's time forward, e.g. past a code's or an access token's expiry. */
    public void advanceTime(Duration by) {
        if (by.isNegative()) {
            throw new IllegalArgumentException("time only moves forward");
        }
        clockOffset.accumulateAndGet(by, Duration::plus);
    }

    // ---- REST resources ----

    /** Answer company ids and the ids of webhooks and subscriptions as JSON strings instead of numbers. */
    public void idsAsStrings(boolean asStrings) {
        api.idsAsStrings = asStrings;
    }

    /** The webhooks organisation {@code organisationId} has, oldest first. */
    public List<FakeWebhook> webhooks(long organisationId) {
        return api.webhooks(organisationId);
    }

    /** The call and SMS subscriptions organisation {@code organisationId} has, oldest first. */
    public List<FakeSubscription> subscriptions(long organisationId) {
        return api.subscriptions(organisationId);
    }

    /**
     * Delivers {@code event} as Dialpad would: once for each enabled subscription of the organisation that matches it,
     * to its webhook, signed as a JWT when the webhook has a secret and plain JSON otherwise.
     *
     * @return one delivery per matching subscription, in subscription order (empty when nothing is subscribed)
     * @throws UncheckedIOException when a receiver cannot be reached
     */
    public List<Delivery> deliver(long organisationId, DialpadEvent event) {
        List<Delivery> deliveries = new ArrayList<>();
        for (FakeSubscription subscription : api.subscriptions(organisationId)) {
            if (!subscription.matches(event)) {
                continue;
            }
            Optional<FakeWebhook> webhook = api.webhook(subscription.webhookId());
            if (webhook.isEmpty()) {
                continue;
            }
            URI hook = URI.create(webhook.get().hookUrl());
            deliveries.add(webhook.get().signingSecret()
                    .map(secret -> webhookSender.sendJwt(hook, secret, event))
                    .orElseGet(() -> webhookSender.sendUnsigned(hook, event)));
        }
        return deliveries;
    }

    // ---- faults and latency ----

    /** The next {@code times} requests to {@code endpoint} answer {@code status} with JSON {@code body}. */
    public void failNext(DialpadEndpoint endpoint, int times, int status, String body) {
        failNext(endpoint, times, status, body, Map.of());
    }

    /** As {@link #failNext(DialpadEndpoint, int, int, String)} with extra headers (e.g. {@code Retry-After}). */
    public void failNext(DialpadEndpoint endpoint, int times, int status, String body, Map<String, String> headers) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be positive");
        }
        faults.put(endpoint, new Fault(status, body, headers, new AtomicLong(times)));
    }

    /** Every request to {@code endpoint} answers {@code status} with JSON {@code body} until {@link #stopFailing}. */
    public void failAlways(DialpadEndpoint endpoint, int status, String body) {
        faults.put(endpoint, new Fault(status, body, Map.of(), new AtomicLong(-1)));
    }

    /** Ends the fault on {@code endpoint}. */
    public void stopFailing(DialpadEndpoint endpoint) {
        faults.remove(endpoint);
    }

    /** Ends every fault. */
    public void stopFailing() {
        faults.clear();
    }

    /** Delays every request by {@code delay} before answering (other requests are served meanwhile). */
    public void latency(Duration delay) {
        latency(DialpadEndpoint.ALL, delay);
    }

    /** Delays requests to {@code endpoint}; adds to a delay set for {@link DialpadEndpoint#ALL}. */
    public void latency(DialpadEndpoint endpoint, Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative");
        }
        if (delay.isZero()) {
            latencies.remove(endpoint);
        } else {
            latencies.put(endpoint, delay);
        }
    }

    // ---- counters ----

    /** Successful {@code authorization_code} exchanges. */
    public long tokenExchangeCount() {
        return oauth.tokenExchanges.sum();
    }

    /** Refused token requests that were not refreshes (bad client, code, verifier, redirect URI...). */
    public long tokenExchangeFailureCount() {
        return oauth.tokenExchangeFailures.sum();
    }

    /** Successful {@code refresh_token} grants. */
    public long refreshCount() {
        return oauth.refreshes.sum();
    }

    /** Refused {@code refresh_token} grants, reuse included (injected faults are not counted here). */
    public long refreshFailureCount() {
        return oauth.refreshFailures.sum();
    }

    /** Refreshes that presented an already rotated refresh token. Must stay 0 for a correct client. */
    public long refreshTokenReuseCount() {
        return oauth.refreshTokenReuses.sum();
    }

    /** Code exchanges that presented an already redeemed authorization code. */
    public long codeReuseCount() {
        return oauth.codeReuses.sum();
    }

    /** Successful deauthorizations. */
    public long deauthorizationCount() {
        return oauth.deauthorizations.sum();
    }

    /** Successful {@code GET /api/v2/company} lookups. */
    public long companyLookupCount() {
        return companyLookups.sum();
    }

    /** Requests answered with an injected fault. */
    public long injectedFaultCount() {
        return injectedFaults.sum();
    }

    /** Requests received on {@code path} (exact path, no query), whatever their outcome. */
    public long requestCount(String path) {
        LongAdder count = requestsPerPath.get(path);
        return count == null ? 0 : count.sum();
    }

    /** Requests received per path, sorted by path. */
    public Map<String, Long> requestCounts() {
        Map<String, Long> counts = new TreeMap<>();
        requestsPerPath.forEach((path, count) -> counts.put(path, count.sum()));
        return counts;
    }

    /** Requests being served right now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The most requests ever served at once since start or {@link #resetCounters()}. */
    public int peakInFlight() {
        return peakInFlight.get();
    }

    /** The last request received, on any path. */
    public Optional<RecordedRequest> lastRequest() {
        return Optional.ofNullable(lastRequest.get());
    }

    /** The last request received on {@code path}. */
    public Optional<RecordedRequest> lastRequest(String path) {
        return Optional.ofNullable(lastRequestPerPath.get(path));
    }

    /** Zeroes every counter and forgets recorded requests; clients, grants, tokens and resources stay. */
    public void resetCounters() {
        oauth.resetCounters();
        companyLookups.reset();
        injectedFaults.reset();
        requestsPerPath.clear();
        lastRequestPerPath.clear();
        lastRequest.set(null);
        peakInFlight.set(inFlight.get());
    }

    /**
     * Ends faults and latency and puts every behaviour switch back to its default; the default organisation, the
     * clock, clients, grants and resources stay.
     */
    public void resetBehaviour() {
        faults.clear();
        latencies.clear();
        oauth.resetBehaviour();
        api.idsAsStrings = false;
    }

    /** {@link #resetCounters()} and {@link #resetBehaviour()}. */
    public void reset() {
        resetCounters();
        resetBehaviour();
    }

    // ---- serving ----

    private void handle(HttpExchange exchange) {
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try (exchange) {
            Response response;
            try {
                response = serve(exchange);
            } catch (IllegalArgumentException e) {
                response = HttpMessages.apiError(400, "malformed request");
            } catch (RuntimeException e) {
                // no detail: a message could carry request data
                response = HttpMessages.apiError(500, "fake Dialpad failed");
            }
            write(exchange, response);
        } catch (IOException e) {
            // the client went away; nothing to answer
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private Response serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        RecordedRequest request = new RecordedRequest(exchange.getRequestMethod(), path,
                exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body);
        requestsPerPath.computeIfAbsent(path, key -> new LongAdder()).increment();
        lastRequestPerPath.put(path, request);
        lastRequest.set(request);
        pause(path);
        if (body.length > MAX_BODY_BYTES) {
            return HttpMessages.apiError(413, "request body too large");
        }
        Optional<Response> fault = injectedFault(path);
        if (fault.isPresent()) {
            injectedFaults.increment();
            return fault.get();
        }
        return route(request);
    }

    private Response route(RecordedRequest request) {
        String path = request.path();
        if (path.equals(DialpadEndpoint.AUTHORIZE.path())) {
            if (!request.method().equals("GET")) {
                return HttpMessages.oauthError(405, "invalid_request", "use GET").withHeader("Allow", "GET");
            }
            OptionalLong organisation = request.header(ORGANISATION_HEADER)
                    .map(value -> OptionalLong.of(Long.parseLong(value))).orElse(OptionalLong.empty());
            return oauth.authorize(HttpMessages.form(request.rawQuery()), organisation);
        }
        if (path.equals(DialpadEndpoint.TOKEN.path())) {
            return oauth.token(request);
        }
        if (path.equals(DialpadEndpoint.DEAUTHORIZE.path())) {
            return oauth.deauthorize(request);
        }
        if (!path.startsWith("/api/v2/")) {
            return HttpMessages.apiError(404, "not found");
        }
        OptionalLong organisation = request.header("Authorization").flatMap(HttpMessages::bearer)
                .map(oauth::organisationOf).orElse(OptionalLong.empty());
        if (organisation.isEmpty()) {
            return HttpMessages.apiError(401, "invalid or expired access token")
                    .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        }
        long org = organisation.getAsLong();
        if (path.equals(DialpadEndpoint.COMPANY.path())) {
            if (!request.method().equals("GET")) {
                return HttpMessages.apiError(405, "method not allowed").withHeader("Allow", "GET");
            }
            companyLookups.increment();
            Map<String, Object> company = new LinkedHashMap<>();
            company.put("id", api.id(org));
            company.put("name", "Fake Company " + org);
            company.put("country", "us");
            company.put("state", "active");
            return Response.json(200, company);
        }
        if (DialpadEndpoint.WEBHOOKS.covers(path)) {
            return api.webhooks(request.method(), rest(path, DialpadEndpoint.WEBHOOKS), org, request.body());
        }
        if (DialpadEndpoint.CALL_SUBSCRIPTIONS.covers(path)) {
            return api.subscriptions(DialpadEvent.Kind.CALL, request.method(),
                    rest(path, DialpadEndpoint.CALL_SUBSCRIPTIONS), org, request.body());
        }
        if (DialpadEndpoint.SMS_SUBSCRIPTIONS.covers(path)) {
            return api.subscriptions(DialpadEvent.Kind.SMS, request.method(),
                    rest(path, DialpadEndpoint.SMS_SUBSCRIPTIONS), org, request.body());
        }
        return HttpMessages.apiError(404, "not found");
    }

    private static String rest(String path, DialpadEndpoint endpoint) {
        return path.substring(endpoint.path().length());
    }

    private void pause(String path) {
        long millis = 0;
        for (Map.Entry<DialpadEndpoint, Duration> latency : latencies.entrySet()) {
            if (latency.getKey().covers(path)) {
                millis += latency.getValue().toMillis();
            }
        }
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Optional<Response> injectedFault(String path) {
        for (DialpadEndpoint endpoint : DialpadEndpoint.values()) {
            Fault fault = faults.get(endpoint);
            if (fault != null && endpoint.covers(path) && fault.take()) {
                return Optional.of(fault.response());
            }
        }
        return Optional.empty();
    }

    private static void write(HttpExchange exchange, Response response) throws IOException {
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        byte[] body = response.body();
        boolean noBody = body.length == 0 || response.status() == 204 || response.status() == 304;
        exchange.sendResponseHeaders(response.status(), noBody ? -1 : body.length);
        if (!noBody) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** An injected failure: {@code remaining} answers left, or -1 for every request. */
    private record Fault(int status, String body, Map<String, String> headers, AtomicLong remaining) {
        Fault {
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("status must be an HTTP status");
            }
            Objects.requireNonNull(body, "body");
            headers = Map.copyOf(headers);
        }

        boolean take() {
            return remaining.get() < 0 || remaining.getAndUpdate(left -> left > 0 ? left - 1 : left) > 0;
        }

        Response response() {
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.putIfAbsent("Content-Type", "application/json");
            return new Response(status, all, body.getBytes(StandardCharsets.UTF_8));
        }
    }
}
