package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.testing.RecordingAuditLog;
import dev.switchboard.core.audit.AuditEvent;
import dev.switchboard.core.audit.AuditEventType;
import dev.switchboard.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WebhookRejectionAuditTest {
    private static final Instant MINUTE = Instant.parse("2026-03-02T10:15:00Z");
    private static final Optional<String> CLIENT = Optional.of("203.0.113.7");

    private final RecordingAuditLog audit = new RecordingAuditLog();
    private final MutableClock clock = MutableClock.at(MINUTE.plusSeconds(5));

    @Test
    void recordWhenABurstFromOneAddressThenOneRowWithItsCountOnceTheMinuteEnds() {
        WebhookRejectionAudit rejections = WebhookRejectionAudit.unscheduled(audit, clock, 100);
        for (int i = 0; i < 250; i++) {
            rejections.record(CLIENT, "bad_signature", "app");
        }
        clock.advance(Duration.ofSeconds(54));

        rejections.flushEnded();
        assertThat(audit.events()).as("the minute has not ended").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        rejections.flushEnded();
        rejections.flushEnded();

        assertThat(audit.events()).singleElement().satisfies(event -> {
            assertThat(event.type()).isEqualTo(AuditEventType.WEBHOOK_REJECTED);
            assertThat(event.at()).isEqualTo(MINUTE);
            assertThat(event.appId()).as("a forged delivery is not the app's doing").isEmpty();
            assertThat(event.clientIp()).isEqualTo(CLIENT);
            assertThat(event.details()).isEqualTo(Map.of("reason", "bad_signature", "count", "250", "path", "app"));
        });
    }

    @Test
    void recordWhenReasonsAndMinutesDifferThenOneRowEachWithItsOwnCount() {
        WebhookRejectionAudit rejections = WebhookRejectionAudit.unscheduled(audit, clock, 100);
        for (int i = 0; i < 3; i++) {
            rejections.record(CLIENT, "bad_signature", "shared");
        }
        rejections.record(CLIENT, "bad_signature", "app");
        rejections.record(CLIENT, "malformed", "shared");
        rejections.record(Optional.of("198.51.100.9"), "bad_signature", "shared");
        clock.advance(Duration.ofMinutes(1));
        rejections.record(CLIENT, "bad_signature", "shared");
        rejections.record(CLIENT, "bad_signature", "shared");

        rejections.flushEnded();
        assertThat(audit.events()).extracting(WebhookRejectionAuditTest::summary).containsExactlyInAnyOrder(
                "203.0.113.7 bad_signature 4 app,shared " + MINUTE,
                "203.0.113.7 malformed 1 shared " + MINUTE,
                "198.51.100.9 bad_signature 1 shared " + MINUTE);
        clock.advance(Duration.ofMinutes(1));
        rejections.flushEnded();

        assertThat(audit.events()).hasSize(4).extracting(WebhookRejectionAuditTest::summary)
                .contains("203.0.113.7 bad_signature 2 shared " + MINUTE.plusSeconds(60));
    }

    @Test
    void recordWhenAFloodOfAddressesThenWindowsStayBoundedAndEveryRejectionIsCounted() {
        WebhookRejectionAudit rejections = WebhookRejectionAudit.unscheduled(audit, clock, 50);
        for (int i = 0; i < 2_000; i++) {
            rejections.record(Optional.of("2001:db8::" + Integer.toHexString(i)), "bad_signature", "app");
            rejections.record(CLIENT, "bad_signature", "app");
        }

        assertThat(rejections.openWindows()).isLessThanOrEqualTo(50);
        rejections.close();

        assertThat(audit.events()).allSatisfy(event -> assertThat(event.at()).isEqualTo(MINUTE));
        assertThat(audit.events().stream().mapToLong(WebhookRejectionAuditTest::count).sum()).isEqualTo(4_000);
        assertThat(audit.events().stream().filter(event -> event.clientIp().equals(CLIENT))
                .mapToLong(WebhookRejectionAuditTest::count).sum()).isEqualTo(2_000);
    }

    @Test
    void closeWhenWindowsAreStillOpenThenTheyAreWritten() {
        WebhookRejectionAudit rejections = WebhookRejectionAudit.unscheduled(audit, clock, 100);
        rejections.record(CLIENT, "unknown_app", "app");
        rejections.record(Optional.empty(), "missing_signature", "shared");

        rejections.close();

        assertThat(audit.events()).extracting(WebhookRejectionAuditTest::summary).containsExactlyInAnyOrder(
                "203.0.113.7 unknown_app 1 app " + MINUTE, "- missing_signature 1 shared " + MINUTE);
    }

    private static long count(AuditEvent event) {
        return Long.parseLong(event.details().get("count"));
    }

    private static String summary(AuditEvent event) {
        return event.clientIp().orElse("-") + " " + event.details().get("reason") + " " + event.details().get("count")
                + " " + event.details().get("path") + " " + event.at();
    }
}
