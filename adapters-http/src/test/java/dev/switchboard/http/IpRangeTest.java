package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class IpRangeTest {
    @Test
    void containsWhenAddressIsInsideTheBlockThenTrue() throws Exception {
        IpRange block = IpRange.parse("172.16.0.0/12").orElseThrow();

        assertThat(block.contains(InetAddress.getByName("172.31.255.255"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("172.32.0.0"))).isFalse();
        assertThat(block.contains(InetAddress.getByName("::ffff:ac10:1"))).isTrue();
    }

    @Test
    void containsWhenIpv6BlockThenMatchesOnlyIpv6() throws Exception {
        IpRange block = IpRange.parse("2001:db8::/32").orElseThrow();

        assertThat(block.contains(InetAddress.getByName("2001:db8:ffff::1"))).isTrue();
        assertThat(block.contains(InetAddress.getByName("2001:db9::1"))).isFalse();
        assertThat(block.contains(InetAddress.getByName("10.0.0.1"))).isFalse();
    }

    @Test
    void parseWhenNetworkHasHostBitsThenMasked() {
        assertThat(IpRange.parse("10.1.2.3/8").orElseThrow().toString()).isEqualTo("10.0.0.0/8");
    }

    @Test
    void parseWhenTextIsNotALiteralThenEmptyWithoutDns() {
        assertThat(IpRange.parse("localhost")).isEmpty();
        assertThat(IpRange.parse("1.2.3")).isEmpty();
        assertThat(IpRange.parse("01.2.3.4")).isEmpty();
        assertThat(IpRange.parse("fe80::1%eth0")).isEmpty();
        assertThat(IpRange.parse("::1/129")).isEmpty();
        assertThat(IpRange.parse("10.0.0.0/")).isEmpty();
    }

    @Test
    void parseEntryWhenNamedGroupThenExpanded() {
        assertThat(IpRange.parseEntry("uniquelocal").orElseThrow()).hasSize(4);
        assertThat(IpRange.parseEntry("linklocal").orElseThrow()).extracting(IpRange::toString)
                .containsExactly("169.254.0.0/16", "fe80:0:0:0:0:0:0:0/10");
    }
}
