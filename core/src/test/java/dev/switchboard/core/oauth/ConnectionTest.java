package dev.switchboard.core.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ConnectionTest {
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

    @Test
    void establishedWhenTokensValidThenExpiryCountsFromNow() {
        Connection connection = Connection.established(UUID.randomUUID(), " 4800 ",
                new TokenResponseCheck.Valid("access-secret", "refresh-secret", Duration.ofHours(1)),
                DialpadEnvironment.PRODUCTION, NOW, NOW.plusSeconds(2880));
        assertThat(connection.organisationId()).isEqualTo("4800");
        assertThat(connection.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
        assertThat(connection.health()).isEqualTo(RefreshHealth.initial(NOW.plusSeconds(2880)));
    }

    @Test
    void toStringWhenCalledThenRedactsBothTokens() {
        Connection connection = new Connection(UUID.randomUUID(), "4800", "access-secret", "refresh-secret",
                NOW, DialpadEnvironment.SANDBOX, NOW, NOW, RefreshHealth.initial(NOW));
        assertThat(connection.toString()).doesNotContain("access-secret").doesNotContain("refresh-secret")
                .contains("4800");
        assertThat(connection.summary().toString()).doesNotContain("secret");
    }

    @Test
    void refreshHealthWhenErrorCodeIsFreeTextThenRejected() {
        assertThatThrownBy(() -> new RefreshHealth(Optional.empty(), Optional.of(NOW), 1,
                Optional.of("token abc is invalid"), false, NOW)).isInstanceOf(IllegalArgumentException.class);
        assertThat(RefreshHealth.validErrorCode("invalid_grant")).isEqualTo("invalid_grant");
    }

    @Test
    void validOrganisationIdWhenBlankOrControlCharactersThenRejected() {
        assertThatThrownBy(() -> Connection.validOrganisationId(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Connection.validOrganisationId("a\nb")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void environmentWhenCodedThenRoundTrips() {
        assertThat(DialpadEnvironment.fromCode("sandbox")).contains(DialpadEnvironment.SANDBOX);
        assertThat(DialpadEnvironment.fromCode("PRODUCTION")).isEmpty();
    }
}
