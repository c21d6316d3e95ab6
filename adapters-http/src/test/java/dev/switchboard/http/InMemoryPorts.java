package dev.switchboard.http;

import dev.switchboard.core.apikey.ApiKeyAction;
import dev.switchboard.core.apikey.ApiKeyAuditEntry;
import dev.switchboard.core.apikey.ApiKeyCandidate;
import dev.switchboard.core.apikey.ApiKeyStatus;
import dev.switchboard.core.apikey.ApiKeyStore;
import dev.switchboard.core.apikey.StoredApiKey;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.apps.AppStore;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditLog;
import dev.switchboard.core.oauth.CompanyLookup;
import dev.switchboard.core.oauth.ConnectToken;
import dev.switchboard.core.oauth.ConnectTokenStore;
import dev.switchboard.core.oauth.Connection;
import dev.switchboard.core.oauth.ConnectionStore;
import dev.switchboard.core.oauth.ConnectionSummary;
import dev.switchboard.core.oauth.DialpadAuthorizationServer;
import dev.switchboard.core.oauth.OAuthFlow;
import dev.switchboard.core.oauth.OAuthFlowStore;
import dev.switchboard.core.oauth.Revocation;
import dev.switchboard.core.oauth.SecretHash;
import dev.switchboard.core.oauth.TokenGrant;
import dev.switchboard.core.oauth.TokenResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** In-memory fakes of the core ports the routes use: fast HTTP tests without a database or a Dialpad. */
final class InMemoryPorts {
    private InMemoryPorts() {
    }

    static final class Apps implements AppStore {
        private final Map<UUID, App> apps = new LinkedHashMap<>();

        @Override
        public synchronized App create(String name) {
            App app = new App(UUID.randomUUID(), name, true, Instant.parse("2025-01-01T00:00:00Z"));
            apps.put(app.id(), app);
            return app;
        }

        @Override
        public synchronized Optional<App> find(UUID id) {
            return Optional.ofNullable(apps.get(id));
        }

        @Override
        public synchronized List<App> list() {
            return new ArrayList<>(apps.values());
        }

        @Override
        public synchronized Optional<App> update(UUID id, String name, Boolean active) {
            App app = apps.get(id);
            if (app == null) {
                return Optional.empty();
            }
            App updated = new App(id, name == null ? app.name() : name, active == null ? app.active() : active,
                    app.createdAt());
            apps.put(id, updated);
            return Optional.of(updated);
        }
    }

    static final class Audit implements AuditLog {
        final List<AuditEvent> events = new ArrayList<>();

        @Override
        public synchronized void record(AuditEvent event) {
            events.add(event);
        }

        synchronized List<AuditEvent> events() {
            return List.copyOf(events);
        }
    }

    static final class ConnectTokens implements ConnectTokenStore {
        private final Map<SecretHash, ConnectToken> tokens = new HashMap<>();
        private final Map<SecretHash, Integer> opened = new HashMap<>();
        private final Set<SecretHash> completed = new HashSet<>();

        @Override
        public synchronized void save(ConnectToken token) {
            tokens.put(token.tokenHash(), token);
        }

        @Override
        public synchronized Optional<ConnectToken> open(UUID appId, SecretHash tokenHash, Instant now, int maxFlows) {
            ConnectToken token = tokens.get(tokenHash);
            if (token == null || !token.appId().equals(appId) || !now.isBefore(token.expiresAt())
                    || completed.contains(tokenHash) || opened.getOrDefault(tokenHash, 0) >= maxFlows) {
                return Optional.empty();
            }
            opened.merge(tokenHash, 1, Integer::sum);
            return Optional.of(token);
        }

        @Override
        public synchronized boolean canComplete(SecretHash tokenHash) {
            return tokens.containsKey(tokenHash) && !completed.contains(tokenHash);
        }

        @Override
        public synchronized boolean complete(SecretHash tokenHash, Instant now) {
            return tokens.containsKey(tokenHash) && completed.add(tokenHash);
        }

        @Override
        public synchronized int purgeExpired(Instant now) {
            return 0;
        }
    }

    static final class Flows implements OAuthFlowStore {
        private final Map<SecretHash, OAuthFlow> pending = new HashMap<>();

        @Override
        public synchronized void save(OAuthFlow flow) {
            pending.put(flow.stateHash(), flow);
        }

        @Override
        public synchronized Consumption consume(SecretHash stateHash, Instant now) {
            OAuthFlow flow = pending.remove(stateHash);
            if (flow == null) {
                return new Consumption.NotFound();
            }
            return flow.isExpiredAt(now) ? new Consumption.Expired(flow.origin()) : new Consumption.Pending(flow);
        }

        @Override
        public synchronized int purgeExpired(Instant now) {
            return 0;
        }
    }

    static final class Connections implements ConnectionStore {
        final Map<UUID, Connection> rows = new HashMap<>();

        @Override
        public synchronized Optional<Connection> save(Connection connection) {
            return Optional.ofNullable(rows.put(connection.appId(), connection));
        }

        @Override
        public synchronized Optional<Connection> find(UUID appId) {
            return Optional.ofNullable(rows.get(appId));
        }

        @Override
        public synchronized Optional<ConnectionSummary> findSummary(UUID appId) {
            return find(appId).map(Connection::summary);
        }

        @Override
        public synchronized List<ConnectionSummary> findByOrganisation(String organisationId) {
            return rows.values().stream().filter(c -> c.organisationId().equals(organisationId))
                    .map(Connection::summary).toList();
        }

        @Override
        public synchronized boolean delete(UUID appId) {
            return rows.remove(appId) != null;
        }

        @Override
        public List<Connection> claimDue(Instant now, Duration leaseDuration, int limit, String owner) {
            return List.of();
        }

        @Override
        public synchronized Optional<Connection> tryLease(UUID appId, String owner, Instant now, Duration duration) {
            return find(appId);
        }

        @Override
        public boolean recordRefreshed(UUID appId, String owner, String accessToken, String refreshToken,
                                       Instant expiresAt, Instant nextAttemptAt, Instant now) {
            return false;
        }

        @Override
        public boolean recordRefreshFailure(UUID appId, String owner, String errorCode, Instant retryAt,
                                            boolean needsReconnect, Instant now) {
            return false;
        }

        @Override
        public boolean releaseLease(UUID appId, String owner) {
            return false;
        }
    }

    static final class ApiKeyRows implements ApiKeyStore {
        final Map<UUID, StoredApiKey> active = new HashMap<>();

        @Override
        public synchronized Optional<ApiKeyAuditEntry> createOrRotate(UUID appId, StoredApiKey key, String actor,
                                                                      Instant at) {
            StoredApiKey old = active.put(appId, key);
            return Optional.of(new ApiKeyAuditEntry(appId, old == null ? ApiKeyAction.CREATED : ApiKeyAction.ROTATED,
                    Optional.ofNullable(old).map(StoredApiKey::hint), Optional.of(key.hint()), actor, at));
        }

        @Override
        public Optional<ApiKeyAuditEntry> revoke(UUID appId, String actor, Instant at) {
            return Optional.empty();
        }

        @Override
        public ApiKeyStatus status(UUID appId) {
            return ApiKeyStatus.none();
        }

        @Override
        public List<ApiKeyAuditEntry> audit(UUID appId) {
            return List.of();
        }

        @Override
        public Optional<ApiKeyCandidate> findByLookupPrefix(String lookupPrefix) {
            return Optional.empty();
        }
    }

    /** A Dialpad whose answers a test sets; it records what it was asked. */
    static final class ScriptedDialpad implements DialpadAuthorizationServer {
        volatile TokenGrant grant = new TokenGrant.Tokens(new TokenResponse("access-1", "refresh-1", "bearer", 3600L));
        volatile CompanyLookup company = new CompanyLookup.Found("org-42");
        volatile Revocation revocation = new Revocation.Revoked();
        final List<String> exchanged = new ArrayList<>();
        final List<String> deauthorized = new ArrayList<>();

        @Override
        public URI authorizeUrl(String state, String codeChallenge, List<String> scopes) {
            return URI.create("https://dialpad.test/oauth2/authorize?response_type=code&state="
                    + URLEncoder.encode(state, StandardCharsets.UTF_8) + "&code_challenge=" + codeChallenge
                    + "&code_challenge_method=S256&scope="
                    + URLEncoder.encode(String.join(" ", scopes), StandardCharsets.UTF_8));
        }

        @Override
        public synchronized TokenGrant exchange(String code, String verifier) {
            exchanged.add(code);
            return grant;
        }

        @Override
        public TokenGrant refresh(String refreshToken) {
            throw new UnsupportedOperationException("not used by these routes");
        }

        @Override
        public synchronized Revocation deauthorize(String accessToken) {
            deauthorized.add(accessToken);
            return revocation;
        }

        @Override
        public CompanyLookup companyId(String accessToken) {
            return company;
        }
    }
}
