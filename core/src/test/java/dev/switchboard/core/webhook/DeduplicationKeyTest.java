package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeduplicationKeyTest {
    private static byte[] raw(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void ofWhenCallEventThenCallIdStateAndTimestamp() {
        DeduplicationKey key = DeduplicationKey.of(Map.of("call_id", 42L, "state", "Hangup",
                "event_timestamp", 1_700_000_000_000L), raw("{}"));

        assertThat(key.value()).isEqualTo("call:42:hangup:1700000000000");
    }

    @Test
    void ofWhenSameCallDifferentStatesThenDifferentKeys() {
        DeduplicationKey ringing = DeduplicationKey.of(Map.of("call_id", 42L, "state", "ringing",
                "event_timestamp", 1L), raw("a"));
        DeduplicationKey hangup = DeduplicationKey.of(Map.of("call_id", 42L, "state", "hangup",
                "event_timestamp", 1L), raw("a"));

        assertThat(ringing).isNotEqualTo(hangup);
    }

    @Test
    void ofWhenNoTimestampThenSha256OfRawBytes() {
        // SHA-256("abc"), FIPS 180-2 Appendix B.1.
        DeduplicationKey key = DeduplicationKey.of(Map.of("call_id", 42L, "state", "ringing"), raw("abc"));

        assertThat(key.value())
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void ofWhenSmsPayloadThenHashOfRawBytes() {
        DeduplicationKey key = DeduplicationKey.of(Map.of("id", 1L, "text", "x"), raw("abc"));

        assertThat(key.value()).startsWith("sha256:");
    }

    @Test
    void kindWhenCallOrSmsOrOtherThenRecognised() {
        assertThat(WebhookEventKind.of(Map.of("call_id", 1L, "state", "ringing"))).isEqualTo(WebhookEventKind.CALL);
        assertThat(WebhookEventKind.of(Map.of("id", 1L, "direction", "inbound", "text", "x")))
                .isEqualTo(WebhookEventKind.SMS);
        assertThat(WebhookEventKind.of(Map.of("foo", 1L))).isEqualTo(WebhookEventKind.UNKNOWN);
    }
}
