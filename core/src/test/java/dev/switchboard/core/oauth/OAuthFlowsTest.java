package dev.switchboard.core.oauth;

import dev.switchboard.core.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.testing.InMemoryConnectTokenStore;
import dev.switchboard.core.testing.InMemoryOAuthFlowStore;
import dev.switchboard.core.testing.InMemoryAppStore;
import dev.switchboard.core.testing.RecordingAuditLog;
import dev.switchboard.core.apps.App;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OAuthFlowsTest {
    private static final Optional<String> IP = Optional.of("203.0.113.7");
    private static final String SESSION_SECRET = "session-secret-for-tests-with-32-bytes";
    private static final Duration CONNECT_TOKEN_AND_FLOW_LIFETIMES =
            OAuthFlows.CONNECT_TOKEN_LIFETIME.plus(OAuthFlows.FLOW_LIFETIME);

    private final MutableClock clock = MutableClock.at(Instant.parse("2025-01-01T10:00:00Z"));
    private final InMemoryAppStore apps = new InMemoryAppStore();
    private final InMemoryConnectTokenStore connectTokens = new InMemoryConnectTokenStore();
    private final InMemoryOAuthFlowStore flowStore = new InMemoryOAuthFlowStore();
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final SecureRandom random = new SecureRandom();
    private final BrowserBinding binding = BrowserBinding.of(SESSION_SECRET, random);
    private final AtomicInteger pkceCount = new AtomicInteger();
    private OAuthFlows flows;
    private App app;

    @BeforeEach
    void setUp() {
        flows = OAuthFlows.create(apps, connectTokens, flowStore, binding, () -> {
            int n = pkceCount.incrementAndGet();
            return new Pkce.Verifier("verifier-" + n + "-" + "v".repeat(40));
        }, audit, clock, random);
        app = apps.create("CRM");
    }

    @Test
    void createConnectLinkWhenAppActiveThenIssuesA256BitTokenValidFor15Minutes() {
        ConnectLinkIssue.Issued issued = (ConnectLinkIssue.Issued) flows.createConnectLink(app.id(), Optional.empty(), IP);

        assertThat(issued.token()).matches("[A-Za-z0-9_-]{43}");
        assertThat(issued.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
        assertThat(connectTokens.tokens()).containsOnlyKeys(SecretHash.of(issued.token()));
        assertThat(issued.toString()).doesNotContain(issued.token());
        AuditEvent event = audit.events().get(0);
        assertThat(event.type()).isEqualTo(AuditEventType.CONNECT_LINK_CREATED);
        assertThat(event.appId()).contains(app.id());
        assertThat(event.clientIp()).isEqualTo(IP);
        assertThat(event.details().values()).noneMatch(value -> value.contains(issued.token()));
    }

    @Test
    void createConnectLinkWhenAppUnknownOrInactiveThenNothingIssued() {
        assertThat(flows.createConnectLink(UUID.randomUUID(), Optional.empty(), IP)).isEqualTo(new ConnectLinkIssue.AppNotFound());
        apps.update(app.id(), null, false);
        assertThat(flows.createConnectLink(app.id(), Optional.empty(), IP)).isEqualTo(new ConnectLinkIssue.AppInactive());
        assertThat(connectTokens.tokens()).isEmpty();
        assertThat(audit.events()).isEmpty();
    }

    @Test
    void beginWhenTokenValidThenStartsAFlowBoundToTheBrowser() {
        String token = connectLink(app.id());

        FlowStart.Started started = (FlowStart.Started) flows.begin(app.id(), token, IP);

        assertThat(started.appId()).isEqualTo(app.id());
        assertThat(started.state()).matches("[A-Za-z0-9_-]{43}");
        assertThat(started.codeChallenge()).isEqualTo(Pkce.challengeS256("verifier-1-" + "v".repeat(40)));
        assertThat(started.expiresAt()).isEqualTo(clock.instant().plus(OAuthFlows.FLOW_LIFETIME));
        OAuthFlow stored = flowStore.pending().get(SecretHash.of(started.state()));
        assertThat(stored.appId()).isEqualTo(app.id());
        assertThat(stored.verifier()).startsWith("verifier-1-");
        assertThat(binding.verify(started.cookieValue()))
                .isEqualTo(new BrowserBinding.Check.Bound(stored.browserNonceHash()));
        assertThat(started.toString()).doesNotContain(started.state()).doesNotContain(started.cookieValue());
        assertThat(audit.events()).extracting(AuditEvent::type)
                .containsExactly(AuditEventType.CONNECT_LINK_CREATED, AuditEventType.OAUTH_INITIATED);
    }

    @Test
    void beginWhenAppUnknownThenNotFoundBeforeTheTokenIsLookedAt() {
        assertThat(flows.begin(UUID.randomUUID(), "whatever", IP)).isEqualTo(new FlowStart.AppNotFound());
    }

    @Test
    void beginWhenAppInactiveThenForbiddenAndTheTokenIsNotUsedUp() {
        String token = connectLink(app.id());
        apps.update(app.id(), null, false);
        assertThat(flows.begin(app.id(), token, IP)).isEqualTo(new FlowStart.AppInactive());

        apps.update(app.id(), null, true);
        assertThat(flows.begin(app.id(), token, IP)).isInstanceOf(FlowStart.Started.class);
    }

    @Test
    void beginWhenTokenMissingUnknownOrOversizedThenInvalid() {
        assertThat(flows.begin(app.id(), null, IP)).isEqualTo(new FlowStart.InvalidConnectToken());
        assertThat(flows.begin(app.id(), "", IP)).isEqualTo(new FlowStart.InvalidConnectToken());
        assertThat(flows.begin(app.id(), "unknown", IP)).isEqualTo(new FlowStart.InvalidConnectToken());
        assertThat(flows.begin(app.id(), "x".repeat(10_000), IP)).isEqualTo(new FlowStart.InvalidConnectToken());
        assertThat(flowStore.pending()).isEmpty();
    }

    @Test
    void beginWhenTheLinkIsOpenedAgainThenEachOpeningStartsItsOwnFlowUpToTheBound() {
        String token = connectLink(app.id());
        FlowStart.Started scanner = (FlowStart.Started) flows.begin(app.id(), token, IP);
        FlowStart.Started person = (FlowStart.Started) flows.begin(app.id(), token, IP);

        assertThat(person.state()).isNotEqualTo(scanner.state());
        assertThat(person.cookieValue()).isNotEqualTo(scanner.cookieValue());
        assertThat(person.codeChallenge()).isNotEqualTo(scanner.codeChallenge());
        for (int opened = 2; opened < OAuthFlows.MAX_FLOWS_PER_LINK; opened++) {
            assertThat(flows.begin(app.id(), token, IP)).isInstanceOf(FlowStart.Started.class);
        }
        assertThat(flows.begin(app.id(), token, IP)).isEqualTo(new FlowStart.InvalidConnectToken());
        assertThat(flowStore.pending()).hasSize(OAuthFlows.MAX_FLOWS_PER_LINK);
    }

    @Test
    void completeWhenAnotherFlowOfTheLinkCompletedAConnectionThenLinkUsedAndTheLinkStartsNoMoreFlows() {
        String token = connectLink(app.id());
        FlowStart.Started first = (FlowStart.Started) flows.begin(app.id(), token, IP);
        FlowStart.Started second = (FlowStart.Started) flows.begin(app.id(), token, IP);
        FlowCompletion.Resumed resumed = (FlowCompletion.Resumed) flows.complete(first.state(), first.cookieValue(),
                IP);
        assertThat(resumed.link().tokenHash()).isEqualTo(SecretHash.of(token));
        connectTokens.complete(resumed.link().tokenHash(), clock.instant());

        assertThat(flows.complete(second.state(), second.cookieValue(), IP))
                .isEqualTo(new FlowCompletion.LinkUsed(app.id()));
        assertThat(flows.begin(app.id(), token, IP)).isEqualTo(new FlowStart.InvalidConnectToken());
    }

    @Test
    void createConnectLinkWhenAnOrganisationIsNamedThenTheFlowCarriesItToTheCallback() {
        ConnectLinkIssue.Issued issued = (ConnectLinkIssue.Issued) flows.createConnectLink(app.id(),
                Optional.of(" 5000000000000001 "), IP);
        assertThat(issued.organisationId()).contains("5000000000000001");
        assertThat(audit.events().get(0).details()).containsEntry("organisation_id", "5000000000000001");

        FlowStart.Started started = (FlowStart.Started) flows.begin(app.id(), issued.token(), IP);
        FlowCompletion.Resumed resumed = (FlowCompletion.Resumed) flows.complete(started.state(),
                started.cookieValue(), IP);

        assertThat(resumed.link().organisationId()).contains("5000000000000001");
        assertThat(resumed.link().refuses("5000000000000002")).isTrue();
        assertThat(resumed.link().refuses("5000000000000001")).isFalse();
    }

    @Test
    void beginWhenTokenIssuedForAnotherAppThenInvalid() {
        App other = apps.create("Helpdesk");
        String token = connectLink(other.id());
        assertThat(flows.begin(app.id(), token, IP)).isEqualTo(new FlowStart.InvalidConnectToken());
        assertThat(flows.begin(other.id(), token, IP)).isInstanceOf(FlowStart.Started.class);
    }

    @Test
    void beginWhenTokenOlderThan15MinutesThenInvalid() {
        String token = connectLink(app.id());
        clock.advance(Duration.ofMinutes(15));
        assertThat(flows.begin(app.id(), token, IP)).isEqualTo(new FlowStart.InvalidConnectToken());
    }

    @Test
    void completeWhenSameBrowserThenResumedWithTheVerifierOnce() {
        FlowStart.Started started = start();
        clock.advance(Duration.ofMinutes(14));

        FlowCompletion completion = flows.complete(started.state(), started.cookieValue(), IP);

        assertThat(completion).isInstanceOf(FlowCompletion.Resumed.class);
        FlowCompletion.Resumed resumed = (FlowCompletion.Resumed) completion;
        assertThat(resumed.appId()).isEqualTo(app.id());
        assertThat(resumed.verifier()).startsWith("verifier-1-");
        assertThat(resumed.toString()).doesNotContain(resumed.verifier());
        assertThat(flows.complete(started.state(), started.cookieValue(), IP))
                .isEqualTo(new FlowCompletion.UnknownOrUsedState());
    }

    @Test
    void completeWhenStateMissingThenMissingState() {
        assertThat(flows.complete(null, null, IP)).isEqualTo(new FlowCompletion.MissingState());
        assertThat(flows.complete(" ", "cookie", IP)).isEqualTo(new FlowCompletion.MissingState());
    }

    @Test
    void completeWhenStateUnknownThenUnknown() {
        start();
        assertThat(flows.complete("not-a-state", null, IP)).isEqualTo(new FlowCompletion.UnknownOrUsedState());
        assertThat(flows.complete("s".repeat(10_000), null, IP)).isEqualTo(new FlowCompletion.UnknownOrUsedState());
    }

    @Test
    void completeWhen15MinutesPassedThenExpiredAndUsedUp() {
        FlowStart.Started started = start();
        clock.advance(Duration.ofMinutes(15));
        assertThat(flows.complete(started.state(), started.cookieValue(), IP))
                .isEqualTo(new FlowCompletion.Expired(app.id()));
        assertThat(flows.complete(started.state(), started.cookieValue(), IP))
                .isEqualTo(new FlowCompletion.UnknownOrUsedState());
    }

    @Test
    void completeWhenNoCookieThenMismatchAuditedAndTheStateIsBurned() {
        FlowStart.Started started = start();

        assertThat(flows.complete(started.state(), null, IP))
                .isEqualTo(new FlowCompletion.BrowserMismatch(app.id(), FlowCompletion.Reason.NO_COOKIE));

        assertThat(flows.complete(started.state(), started.cookieValue(), IP))
                .isEqualTo(new FlowCompletion.UnknownOrUsedState());
        AuditEvent mismatch = audit.events().get(audit.events().size() - 1);
        assertThat(mismatch.type()).isEqualTo(AuditEventType.OAUTH_STATE_MISMATCH);
        assertThat(mismatch.appId()).contains(app.id());
        assertThat(mismatch.details()).containsEntry("reason", "no_cookie");
    }

    @Test
    void completeWhenCookieForgedThenMismatch() {
        FlowStart.Started started = start();
        String forged = BrowserBinding.of("an-attacker-secret-that-is-32-bytes-long", random).issue().cookieValue();
        assertThat(flows.complete(started.state(), forged, IP))
                .isEqualTo(new FlowCompletion.BrowserMismatch(app.id(), FlowCompletion.Reason.FORGED_COOKIE));
    }

    @Test
    void completeWhenCookieOfAnotherFlowThenMismatch() {
        FlowStart.Started victim = start();
        FlowStart.Started attacker = start();

        assertThat(flows.complete(victim.state(), attacker.cookieValue(), IP))
                .isEqualTo(new FlowCompletion.BrowserMismatch(app.id(), FlowCompletion.Reason.OTHER_FLOW));
        assertThat(flows.complete(attacker.state(), attacker.cookieValue(), IP))
                .isInstanceOf(FlowCompletion.Resumed.class);
    }

    @Test
    void auditWhenWholeFlowRunsThenNoSecretIsWritten() {
        FlowStart.Started started = start();
        flows.complete(started.state(), null, IP);
        String verifier = "verifier-1-";
        assertThat(audit.events()).allSatisfy(event -> assertThat(event.details().values()).noneMatch(value ->
                value.contains(started.state()) || value.contains(started.cookieValue()) || value.contains(verifier)));
    }

    @Test
    void purgeExpiredWhenFlowsAndTokensExpiredThenRemovedLinksOnlyOnceNoFlowOfThemCanComplete() {
        start();
        connectLink(app.id());
        clock.advance(Duration.ofMinutes(16));
        assertThat(flows.purgeExpired()).isEqualTo(1);
        assertThat(flowStore.pending()).isEmpty();
        assertThat(connectTokens.tokens()).hasSize(2);

        clock.advance(OAuthFlows.FLOW_LIFETIME);
        assertThat(flows.purgeExpired()).isEqualTo(2);
        assertThat(connectTokens.tokens()).isEmpty();
    }

    @Test
    void createConnectLinkWhenEarlierFlowsAndLinksHaveExpiredThenTheyArePurgedFirst() {
        start();
        clock.advance(CONNECT_TOKEN_AND_FLOW_LIFETIMES);

        String fresh = connectLink(app.id());

        assertThat(flowStore.pending()).isEmpty();
        assertThat(connectTokens.tokens()).containsOnlyKeys(SecretHash.of(fresh));
    }

    private String connectLink(UUID appId) {
        return ((ConnectLinkIssue.Issued) flows.createConnectLink(appId, Optional.empty(), IP)).token();
    }

    private FlowStart.Started start() {
        return (FlowStart.Started) flows.begin(app.id(), connectLink(app.id()), IP);
    }
}
