package dev.switchboard.core.oauth;

import dev.switchboard.core.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.apps.App;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.testing.InMemoryAppStore;
import dev.switchboard.core.testing.InMemoryConnectTokenStore;
import dev.switchboard.core.testing.RecordingAuditLog;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConnectLinksTest {
    private final MutableClock clock = MutableClock.at(Instant.parse("2025-01-01T10:00:00Z"));
    private final InMemoryAppStore apps = new InMemoryAppStore();
    private final InMemoryConnectTokenStore tokens = new InMemoryConnectTokenStore();
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final ConnectLinks links = ConnectLinks.create(apps, tokens, audit, clock, new SecureRandom());
    private final App app = apps.create("CRM");

    @Test
    void issueWhenAppUnknownOrInactiveThenNothingIsIssuedOrAudited() {
        assertThat(links.issue(UUID.randomUUID(), Optional.empty(), Optional.empty(), "cli"))
                .isEqualTo(new ConnectLinkIssue.AppNotFound());
        apps.update(app.id(), null, false);
        assertThat(links.issue(app.id(), Optional.empty(), Optional.empty(), "cli"))
                .isEqualTo(new ConnectLinkIssue.AppInactive());
        assertThat(tokens.tokens()).isEmpty();
        assertThat(audit.events()).isEmpty();
    }

    @Test
    void openWhenTokenIsForThisAppThenItsBindingUpToTheBound() {
        ConnectLinkIssue.Issued issued =
                (ConnectLinkIssue.Issued) links.issue(app.id(), Optional.of("org-7"), Optional.empty(), "cli");

        for (int i = 0; i < ConnectLinks.MAX_FLOWS_PER_LINK; i++) {
            assertThat(links.open(app.id(), issued.token(), clock.instant()))
                    .contains(new LinkBinding(SecretHash.of(issued.token()), Optional.of("org-7")));
        }
        assertThat(links.open(app.id(), issued.token(), clock.instant())).isEmpty();
        assertThat(audit.events()).singleElement()
                .satisfies(event -> assertThat(event.type()).isEqualTo(AuditEventType.CONNECT_LINK_CREATED));
    }

    @Test
    void openWhenTokenMissingForAnotherAppOrExpiredThenEmpty() {
        ConnectLinkIssue.Issued issued =
                (ConnectLinkIssue.Issued) links.issue(app.id(), Optional.empty(), Optional.empty(), "cli");

        assertThat(links.open(app.id(), null, clock.instant())).isEmpty();
        assertThat(links.open(app.id(), "x".repeat(513), clock.instant())).isEmpty();
        assertThat(links.open(apps.create("other").id(), issued.token(), clock.instant())).isEmpty();
        assertThat(links.open(app.id(), issued.token(), issued.expiresAt())).isEmpty();
    }

    @Test
    void canCompleteWhenAConnectionCompletedThroughTheLinkThenFalse() {
        ConnectLinkIssue.Issued issued =
                (ConnectLinkIssue.Issued) links.issue(app.id(), Optional.empty(), Optional.empty(), "cli");
        LinkBinding link = links.open(app.id(), issued.token(), clock.instant()).orElseThrow();

        assertThat(links.canComplete(link)).isTrue();
        tokens.complete(link.tokenHash(), clock.instant());
        assertThat(links.canComplete(link)).isFalse();
    }
}
