package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
    private static final ClientAddress BEHIND_PROXIES = ClientAddress.trusting(List.of(
            IpRange.parse("10.0.0.0/8").orElseThrow(), IpRange.parse("2001:db8::/32").orElseThrow()));

    @Test
    void resolveWhenPeerIsNotTrustedThenForwardedForIsIgnored() {
        assertThat(BEHIND_PROXIES.resolve("203.0.113.7", List.of("198.51.100.1"))).isEqualTo("203.0.113.7");
        assertThat(ClientAddress.trustingNone().resolve("10.0.0.1", List.of("198.51.100.1"))).isEqualTo("10.0.0.1");
    }

    @Test
    void resolveWhenPeerIsTrustedThenRightMostUntrustedAddressWins() {
        assertThat(BEHIND_PROXIES.resolve("10.0.0.1", List.of("1.1.1.1, 198.51.100.1, 10.0.0.2")))
                .as("the spoofed left-most entry is never read").isEqualTo("198.51.100.1");
    }

    @Test
    void resolveWhenSeveralHeaderLinesThenTheyFormOneListInOrder() {
        assertThat(BEHIND_PROXIES.resolve("10.0.0.1", List.of("1.1.1.1", "198.51.100.1, 10.0.0.9")))
                .isEqualTo("198.51.100.1");
    }

    @Test
    void resolveWhenEntriesCarryPortsOrBracketsThenAddressIsUsed() {
        assertThat(BEHIND_PROXIES.resolve("10.0.0.1", List.of("198.51.100.1:5123"))).isEqualTo("198.51.100.1");
        assertThat(BEHIND_PROXIES.resolve("10.0.0.1", List.of("[2001:db9::1]:443"))).isEqualTo("2001:db9:0:0:0:0:0:1");
        assertThat(BEHIND_PROXIES.resolve("2001:db8::5", List.of("2001:db9::1"))).isEqualTo("2001:db9:0:0:0:0:0:1");
    }

    @Test
    void resolveWhenAnEntryToReadIsMalformedThenHeaderIgnoredAndPeerIsClient() {
        for (String header : List.of("unknown", "198.51.100.1,,10.0.0.2", "proxy.example", "198.51.100.0/24",
                "198.51.100.1:http", "")) {
            assertThat(BEHIND_PROXIES.resolve("10.0.0.1", List.of(header))).as(header).isEqualTo("10.0.0.1");
        }
    }

    @Test
    void resolveWhenMalformedEntryIsLeftOfTheClientThenItIsNeverRead() {
        assertThat(BEHIND_PROXIES.resolve("10.0.0.1", List.of("<script>, 198.51.100.1"))).isEqualTo("198.51.100.1");
    }

    @Test
    void resolveWhenEveryHopIsTrustedThenLeftMostHop() {
        assertThat(BEHIND_PROXIES.resolve("10.0.0.1", List.of("10.0.0.3, 10.0.0.2"))).isEqualTo("10.0.0.3");
    }

    @Test
    void resolveWhenNoHeaderThenPeerInCanonicalForm() {
        assertThat(BEHIND_PROXIES.resolve("10.0.0.1", List.of())).isEqualTo("10.0.0.1");
        assertThat(ClientAddress.trustingNone().resolve("::1", List.of())).isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void trustsWhenPeerIsInARangeThenTrue() {
        assertThat(BEHIND_PROXIES.trusts("10.1.2.3")).isTrue();
        assertThat(BEHIND_PROXIES.trusts("11.1.2.3")).isFalse();
        assertThat(BEHIND_PROXIES.trusts("not-an-address")).isFalse();
    }

    @Test
    void rateLimitKeyWhenIpv6ThenItsSlash64AndWhenIpv4ThenTheAddress() {
        assertThat(ClientAddress.rateLimitKey("2001:db8:1:2:3:4:5:6")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(ClientAddress.rateLimitKey("2001:db8:1:2::9")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(ClientAddress.rateLimitKey("2001:db8:1:3::9")).isEqualTo("2001:db8:1:3:0:0:0:0/64");
        assertThat(ClientAddress.rateLimitKey("198.51.100.7")).isEqualTo("198.51.100.7");
        assertThat(ClientAddress.rateLimitKey("not-an-address")).isEqualTo("not-an-address");
    }
}
