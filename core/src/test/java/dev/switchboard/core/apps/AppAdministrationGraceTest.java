package dev.switchboard.core.apps;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.apikey.ApiKeys;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.testing.InMemoryApiKeyStore;
import dev.switchboard.core.testing.InMemoryAppStore;
import dev.switchboard.core.testing.MutableClock;
import dev.switchboard.core.testing.RecordingAuditLog;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AppAdministrationGraceTest {
    private static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");

    private final InMemoryAppStore apps = new InMemoryAppStore();
    private final InMemoryApiKeyStore keys = new InMemoryApiKeyStore(apps);
    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final AppAdministration administration = AppAdministration.create(apps,
            ApiKeys.create(new SecureRandom()), keys, audit, MutableClock.at(T0));

    @Test
    void issueKeyWithGraceThenTheRotationIsAuditedWithBothHintsAndTheGraceEnd() {
        AppAdministration.Created created = administration.createApp("CRM", "test", Optional.empty());

        AppAdministration.KeyIssued issued = administration.issueKey(created.app().id(), "test", Optional.empty(),
                Duration.ofHours(1)).orElseThrow();

        assertThat(issued.entry().previousKeyExpiresAt()).contains(T0.plus(Duration.ofHours(1)));
        AuditEvent rotation = audit.events().get(audit.events().size() - 1);
        assertThat(rotation.type()).isEqualTo(AuditEventType.API_KEY_ROTATED);
        assertThat(rotation.details())
                .containsEntry("old_hint", created.key().hint())
                .containsEntry("new_hint", issued.key().hint())
                .containsEntry("previous_key_expires_at", "2026-01-15T11:00:00Z");
    }

    @Test
    void issueKeyWithoutGraceThenNoGraceEndIsAudited() {
        AppAdministration.Created created = administration.createApp("CRM", "test", Optional.empty());

        administration.issueKey(created.app().id(), "test", Optional.empty()).orElseThrow();

        assertThat(audit.events().get(audit.events().size() - 1).details())
                .doesNotContainKey("previous_key_expires_at");
    }
}
