package dev.switchboard.core.oauth;

import dev.switchboard.core.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.testing.InMemoryConnectTokenStore;
import dev.switchboard.core.testing.InMemoryAppStore;
import dev.switchboard.core.testing.RecordingAuditLog;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.oauth.ConnectOutcome;
import dev.switchboard.core.oauth.DisconnectOutcome;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DialpadConnectionsTest {
    private static final Optional<String> IP = Optional.of("198.51.100.4");
    private static final String CODE = "the-authorization-code";
    private static final String VERIFIER = "the-pkce-verifier-" + "v".repeat(40);

    private final MutableClock clock = MutableClock.at(Instant.parse("2025-03-01T12:00:00Z"));
    private final InMemoryAppStore apps = new InMemoryAppStore();
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final ScriptedDialpad dialpad = new ScriptedDialpad();
    private final MapConnectionStore store = new MapConnectionStore();
    private final InMemoryConnectTokenStore connectTokens = new InMemoryConnectTokenStore();
    private DialpadConnections connections;
    private App app;

    @BeforeEach
    void setUp() {
        connections = DialpadConnections.create(dialpad, store, connectTokens, apps, audit, RefreshPolicy.defaults(),
                DialpadEnvironment.SANDBOX, clock);
        app = apps.create("CRM");
    }

    @Test
    void finishWhenDialpadAnswersWellThenStoresTheConnectionAndAudits() {
        ConnectOutcome outcome = finish(app.id(), CODE);

        assertThat(outcome).isEqualTo(new ConnectOutcome.Connected(app.id(), "org-42", DialpadEnvironment.SANDBOX));
        assertThat(dialpad.exchanges).containsExactly(CODE + "|" + VERIFIER);
        assertThat(dialpad.companyLookups).containsExactly("access-1");
        Connection saved = store.rows.get(app.id());
        assertThat(saved.accessToken()).isEqualTo("access-1");
        assertThat(saved.refreshToken()).isEqualTo("refresh-1");
        assertThat(saved.organisationId()).isEqualTo("org-42");
        assertThat(saved.expiresAt()).isEqualTo(clock.instant().plusSeconds(3600));
        assertThat(saved.health().nextAttemptAt()).isEqualTo(clock.instant().plusSeconds(3600 - 720));
        AuditEvent event = single(AuditEventType.OAUTH_EXCHANGED);
        assertThat(event.appId()).contains(app.id());
        assertThat(event.clientIp()).isEqualTo(IP);
        assertThat(event.details()).containsEntry("organisation_id", "org-42").containsEntry("environment", "sandbox");
        assertNoSecretIn(audit.events());
    }

    @Test
    void finishWhenRefreshTokenMissingThenOutcomeNamesOfflineAccessAndNothingStored() {
        dialpad.grant = new TokenGrant.Tokens(new TokenResponse("access-1", null, "Bearer", 3600L));

        ConnectOutcome outcome = finish(app.id(), CODE);

        assertThat(outcome).isInstanceOf(ConnectOutcome.InvalidTokenResponse.class);
        ConnectOutcome.InvalidTokenResponse invalid = (ConnectOutcome.InvalidTokenResponse) outcome;
        assertThat(invalid.failure()).isEqualTo(TokenResponseCheck.Failure.MISSING_REFRESH_TOKEN);
        assertThat(invalid.message()).contains("offline_access");
        assertThat(store.rows).isEmpty();
        assertThat(dialpad.companyLookups).isEmpty();
        assertThat(single(AuditEventType.OAUTH_EXCHANGE_FAILED).details())
                .containsEntry("reason", "missing_refresh_token");
    }

    @Test
    void finishWhenTokenEndpointRefusesThenExchangeRefusedWithItsCode() {
        dialpad.grant = new TokenGrant.Refused("invalid_grant", "The code was refused.");

        assertThat(finish(app.id(), CODE))
                .isEqualTo(new ConnectOutcome.ExchangeRefused("invalid_grant"));
        assertThat(store.rows).isEmpty();
        assertThat(single(AuditEventType.OAUTH_EXCHANGE_FAILED).details())
                .containsEntry("reason", "exchange_refused").containsEntry("error", "invalid_grant");
    }

    @Test
    void finishWhenTokenEndpointUnavailableThenDialpadUnavailable() {
        dialpad.grant = new TokenGrant.Unavailable("HTTP 500");

        assertThat(finish(app.id(), CODE))
                .isEqualTo(new ConnectOutcome.DialpadUnavailable());
        assertThat(store.rows).isEmpty();
        assertThat(single(AuditEventType.OAUTH_EXCHANGE_FAILED).details()).containsEntry("step", "token");
    }

    @Test
    void finishWhenCompanyLookupFailsThenNothingStored() {
        dialpad.company = new CompanyLookup.Refused("forbidden", "The token may not read the company.");
        assertThat(finish(app.id(), CODE))
                .isEqualTo(new ConnectOutcome.OrganisationLookupFailed());

        dialpad.company = new CompanyLookup.Unavailable("timeout");
        assertThat(finish(app.id(), CODE))
                .isEqualTo(new ConnectOutcome.DialpadUnavailable());
        assertThat(store.rows).isEmpty();
        assertThat(audit.events()).extracting(AuditEvent::type)
                .containsExactly(AuditEventType.OAUTH_EXCHANGE_FAILED, AuditEventType.OAUTH_EXCHANGE_FAILED);
    }

    @Test
    void finishWhenAppDeactivatedDuringTheFlowThenNoExchange() {
        apps.update(app.id(), null, false);
        assertThat(finish(app.id(), CODE)).isEqualTo(new ConnectOutcome.AppInactive());
        assertThat(finish(UUID.randomUUID(), CODE))
                .isEqualTo(new ConnectOutcome.AppNotFound());
        assertThat(dialpad.exchanges).isEmpty();
    }

    @Test
    void finishWhenAlreadyConnectedThenTheNewConnectionReplacesTheOldAndItsGrantIsRevoked() {
        finish(app.id(), CODE);
        dialpad.grant = new TokenGrant.Tokens(new TokenResponse("access-2", "refresh-2", "bearer", 7200L));
        dialpad.company = new CompanyLookup.Found("org-43");

        finish(app.id(), "second-code");

        assertThat(store.rows.get(app.id()).accessToken()).isEqualTo("access-2");
        assertThat(store.rows.get(app.id()).organisationId()).isEqualTo("org-43");
        assertThat(dialpad.deauthorized).containsExactly("access-1");
        AuditEvent revoked = single(AuditEventType.OAUTH_DEAUTHORIZED);
        assertThat(revoked.details()).containsEntry("reason", "reconnected").containsEntry("revoked", "true")
                .containsEntry("organisation_id", "org-42");
        assertNoSecretIn(audit.events());
    }

    @Test
    void finishWhenTheReplacedGrantCannotBeRevokedThenStillConnectedAndTheFailureAudited() {
        finish(app.id(), CODE);
        dialpad.grant = new TokenGrant.Tokens(new TokenResponse("access-2", "refresh-2", "bearer", 7200L));
        dialpad.revocation = new Revocation.Unavailable("timeout");

        assertThat(finish(app.id(), "second-code"))
                .isEqualTo(new ConnectOutcome.Connected(app.id(), "org-42", DialpadEnvironment.SANDBOX));

        assertThat(store.rows.get(app.id()).accessToken()).isEqualTo("access-2");
        assertThat(single(AuditEventType.OAUTH_DEAUTHORIZED).details()).containsEntry("revoked", "false")
                .containsEntry("error", "dialpad_unavailable").containsEntry("reason", "reconnected");
    }

    @Test
    void finishWhenTheLinkNamesAnotherOrganisationThenNothingStoredTheLinkKeptAndTheGrantRevoked() {
        FlowCompletion.Resumed flow = resumed(app.id(), Optional.of("org-7"));

        assertThat(connections.finish(flow, CODE, IP))
                .isEqualTo(new ConnectOutcome.OrganisationMismatch("org-7", "org-42"));

        assertThat(store.rows).isEmpty();
        assertThat(dialpad.deauthorized).containsExactly("access-1");
        assertThat(connectTokens.canComplete(flow.link().tokenHash())).isTrue();
        assertThat(single(AuditEventType.OAUTH_EXCHANGE_FAILED).details())
                .containsEntry("reason", "organisation_mismatch").containsEntry("organisation_id", "org-42")
                .containsEntry("expected_organisation_id", "org-7");
        assertThat(single(AuditEventType.OAUTH_DEAUTHORIZED).details())
                .containsEntry("reason", "organisation_mismatch");
        assertNoSecretIn(audit.events());
    }

    @Test
    void finishWhenTheLinkNamesThisOrganisationThenConnected() {
        assertThat(connections.finish(resumed(app.id(), Optional.of("org-42")), CODE, IP))
                .isEqualTo(new ConnectOutcome.Connected(app.id(), "org-42", DialpadEnvironment.SANDBOX));
        assertThat(dialpad.deauthorized).isEmpty();
    }

    @Test
    void finishWhenAnotherFlowOfTheLinkCompletedFirstThenLinkUsedNothingReplacedAndTheGrantRevoked() {
        FlowCompletion.Resumed first = resumed(app.id(), Optional.empty());
        FlowCompletion.Resumed second = new FlowCompletion.Resumed(app.id(), VERIFIER, first.link());
        assertThat(connections.finish(first, CODE, IP)).isInstanceOf(ConnectOutcome.Connected.class);
        dialpad.grant = new TokenGrant.Tokens(new TokenResponse("access-2", "refresh-2", "bearer", 7200L));

        assertThat(connections.finish(second, "second-code", IP)).isEqualTo(new ConnectOutcome.LinkUsed());

        assertThat(store.rows.get(app.id()).accessToken()).isEqualTo("access-1");
        assertThat(dialpad.deauthorized).containsExactly("access-2");
        assertThat(single(AuditEventType.OAUTH_EXCHANGE_FAILED).details()).containsEntry("reason", "connect_link_used");
    }

    @Test
    void finishWhenTheOrganisationIsAlreadyConnectedToAnotherAppThenSharingAuditedForBoth() {
        App other = apps.create("Helpdesk");
        finish(other.id(), CODE);
        assertThat(audit.events()).noneMatch(event -> event.type() == AuditEventType.ORGANISATION_SHARED);

        finish(app.id(), "second-code");

        List<AuditEvent> shared = audit.events().stream()
                .filter(event -> event.type() == AuditEventType.ORGANISATION_SHARED).toList();
        assertThat(shared).extracting(event -> event.appId().orElseThrow())
                .containsExactlyInAnyOrder(app.id(), other.id());
        assertThat(shared).allSatisfy(event -> assertThat(event.details()).containsEntry("organisation_id", "org-42")
                .containsEntry("connected_app_id", app.id().toString()));
        assertThat(shared).filteredOn(event -> event.appId().orElseThrow().equals(app.id()))
                .singleElement().satisfies(event -> assertThat(event.details())
                        .containsEntry("shared_with_app_ids", other.id().toString()));

        finish(app.id(), "third-code");
        assertThat(audit.events()).filteredOn(event -> event.type() == AuditEventType.ORGANISATION_SHARED)
                .hasSize(2);
    }

    @Test
    void declinedWhenAccessDeniedThenConsentDeniedAndOtherErrorsKeptOnlyWhenSafe() {
        assertThat(connections.declined(app.id(), "access_denied", IP)).isEqualTo(new ConnectOutcome.ConsentDenied());
        assertThat(connections.declined(app.id(), "server_error", IP))
                .isEqualTo(new ConnectOutcome.AuthorizationFailed("server_error"));
        assertThat(connections.declined(app.id(), "<script>alert(1)</script>", IP))
                .isEqualTo(new ConnectOutcome.AuthorizationFailed("invalid"));
        assertThat(audit.events()).extracting(event -> event.details().get("reason"))
                .containsExactly("consent_denied", "authorization_error", "authorization_error");
        assertThat(dialpad.exchanges).isEmpty();
    }

    @Test
    void disconnectWhenConnectedThenRevokesWithTheCurrentTokenAndDeletes() {
        finish(app.id(), CODE);
        store.rows.put(app.id(), withAccessToken(store.rows.get(app.id()), "access-after-refresh"));

        DisconnectOutcome outcome = connections.disconnect(app.id(), IP);

        assertThat(outcome).isEqualTo(new DisconnectOutcome.Disconnected(app.id(), "org-42", true));
        assertThat(dialpad.deauthorized).containsExactly("access-after-refresh");
        assertThat(store.rows).isEmpty();
        AuditEvent event = single(AuditEventType.OAUTH_DEAUTHORIZED);
        assertThat(event.details()).containsEntry("revoked", "true").containsEntry("organisation_id", "org-42");
        assertThat(event.actor()).isEqualTo("internal_api");
        assertNoSecretIn(audit.events());
    }

    @Test
    void disconnectWhenDialpadRefusesOrIsDownThenTokensDeletedAnywayAndRevokedFalse() {
        finish(app.id(), CODE);
        dialpad.revocation = new Revocation.Refused("invalid_token", "The token is no longer valid.");
        assertThat(connections.disconnect(app.id(), IP))
                .isEqualTo(new DisconnectOutcome.Disconnected(app.id(), "org-42", false));
        assertThat(store.rows).isEmpty();

        finish(app.id(), CODE);
        dialpad.revocation = new Revocation.Unavailable("timeout");
        assertThat(connections.disconnect(app.id(), IP))
                .isEqualTo(new DisconnectOutcome.Disconnected(app.id(), "org-42", false));
        assertThat(store.rows).isEmpty();
        assertThat(audit.events()).filteredOn(event -> event.type() == AuditEventType.OAUTH_DEAUTHORIZED)
                .extracting(event -> event.details().get("error"))
                .containsExactly("invalid_token", "dialpad_unavailable");
    }

    @Test
    void disconnectWhenARefresherHoldsTheLeaseThenStillDisconnects() {
        finish(app.id(), CODE);
        store.leases.put(app.id(), "refresher-1");

        assertThat(connections.disconnect(app.id(), IP))
                .isEqualTo(new DisconnectOutcome.Disconnected(app.id(), "org-42", true));
        assertThat(store.rows).isEmpty();
    }

    @Test
    void disconnectWhenNotConnectedThenNotConnectedAndNothingCalled() {
        assertThat(connections.disconnect(app.id(), IP)).isEqualTo(new DisconnectOutcome.NotConnected());
        assertThat(dialpad.deauthorized).isEmpty();
        assertThat(audit.events()).isEmpty();
    }

    /** Finishes a flow of a fresh connect link for {@code appId} that names no organisation. */
    private ConnectOutcome finish(UUID appId, String code) {
        return connections.finish(resumed(appId, Optional.empty()), code, IP);
    }

    /** A resumed flow of a fresh connect link, kept in the link store, naming {@code organisation} if present. */
    private FlowCompletion.Resumed resumed(UUID appId, Optional<String> organisation) {
        ConnectToken link = new ConnectToken(SecretHash.of("link-" + UUID.randomUUID()), appId, clock.instant(),
                clock.instant().plus(OAuthFlows.CONNECT_TOKEN_LIFETIME), organisation);
        connectTokens.save(link);
        return new FlowCompletion.Resumed(appId, VERIFIER, link.binding());
    }

    private AuditEvent single(AuditEventType type) {
        List<AuditEvent> matching = audit.events().stream().filter(event -> event.type() == type).toList();
        assertThat(matching).hasSize(1);
        return matching.get(0);
    }

    private static void assertNoSecretIn(List<AuditEvent> events) {
        for (AuditEvent event : events) {
            assertThat(event.toString()).doesNotContain("access-").doesNotContain("refresh-").doesNotContain(CODE)
                    .doesNotContain(VERIFIER);
        }
    }

    private static Connection withAccessToken(Connection c, String accessToken) {
        return new Connection(c.appId(), c.organisationId(), accessToken, c.refreshToken(), c.expiresAt(),
                c.environment(), c.tokensObtainedAt(), c.connectedAt(), c.health());
    }

    /** A Dialpad whose answers the test sets, recording what it was asked. */
    private static final class ScriptedDialpad implements DialpadAuthorizationServer {
        TokenGrant grant = new TokenGrant.Tokens(new TokenResponse("access-1", "refresh-1", "bearer", 3600L));
        CompanyLookup company = new CompanyLookup.Found("org-42");
        Revocation revocation = new Revocation.Revoked();
        final List<String> exchanges = new ArrayList<>();
        final List<String> companyLookups = new ArrayList<>();
        final List<String> deauthorized = new ArrayList<>();

        @Override
        public URI authorizeUrl(String state, String codeChallenge, List<String> scopes) {
            return URI.create("https://dialpad.test/oauth2/authorize");
        }

        @Override
        public TokenGrant exchange(String code, String verifier) {
            exchanges.add(code + "|" + verifier);
            return grant;
        }

        @Override
        public TokenGrant refresh(String refreshToken) {
            throw new UnsupportedOperationException("not used by connect and disconnect");
        }

        @Override
        public Revocation deauthorize(String accessToken) {
            deauthorized.add(accessToken);
            return revocation;
        }

        @Override
        public CompanyLookup companyId(String accessToken) {
            companyLookups.add(accessToken);
            return company;
        }
    }

    /** A connection store over a map, with leases; enough for connect and disconnect. */
    private static final class MapConnectionStore implements ConnectionStore {
        final Map<UUID, Connection> rows = new HashMap<>();
        final Map<UUID, String> leases = new HashMap<>();

        @Override
        public Optional<Connection> save(Connection connection) {
            leases.remove(connection.appId());
            return Optional.ofNullable(rows.put(connection.appId(), connection));
        }

        @Override
        public Optional<Connection> find(UUID appId) {
            return Optional.ofNullable(rows.get(appId));
        }

        @Override
        public Optional<ConnectionSummary> findSummary(UUID appId) {
            return find(appId).map(Connection::summary);
        }

        @Override
        public List<ConnectionSummary> findByOrganisation(String organisationId) {
            return rows.values().stream().filter(c -> c.organisationId().equals(organisationId))
                    .map(Connection::summary).toList();
        }

        @Override
        public boolean delete(UUID appId) {
            leases.remove(appId);
            return rows.remove(appId) != null;
        }

        @Override
        public List<Connection> claimDue(Instant now, Duration leaseDuration, int limit, String owner) {
            throw new UnsupportedOperationException("not used by connect and disconnect");
        }

        @Override
        public Optional<Connection> tryLease(UUID appId, String owner, Instant now, Duration duration) {
            String holder = leases.get(appId);
            if (!rows.containsKey(appId) || (holder != null && !holder.equals(owner))) {
                return Optional.empty();
            }
            leases.put(appId, owner);
            return Optional.of(rows.get(appId));
        }

        @Override
        public boolean recordRefreshed(UUID appId, String owner, String accessToken, String refreshToken,
                                       Instant expiresAt, Instant nextAttemptAt, Instant now) {
            throw new UnsupportedOperationException("not used by connect and disconnect");
        }

        @Override
        public boolean recordRefreshFailure(UUID appId, String owner, String errorCode, Instant retryAt,
                                            boolean needsReconnect, Instant now) {
            throw new UnsupportedOperationException("not used by connect and disconnect");
        }

        @Override
        public boolean releaseLease(UUID appId, String owner) {
            return leases.remove(appId, owner);
        }
    }
}
