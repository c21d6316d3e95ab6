package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CompactJwsTest {
    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void locateWhenSurroundedByWhitespaceThenSegmentsDecodedAndSigningInputExcludesIt() {
        // RFC 7515 appendix A.1 header and payload, a short signature
        String jws = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UifQ.AAEC";

        CompactJws located = CompactJws.locate(bytes(" \r\n" + jws + "\n"), 1024, 128);

        assertThat(located).isNotNull();
        assertThat(new String(located.header(), StandardCharsets.UTF_8)).isEqualTo("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}");
        assertThat(new String(located.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"iss\":\"joe\"}");
        assertThat(located.signature()).containsExactly(0, 1, 2);
        assertThat(located.signingInputOffset()).isEqualTo(3);
        assertThat(located.signingInputLength()).isEqualTo(jws.lastIndexOf('.'));
    }

    @Test
    void locateWhenHeaderTooLongOrPayloadOutsideTheAlphabetThenNothing() {
        assertThat(CompactJws.locate(bytes("abcdefgh.eyJ9.AAEC"), 4, 128)).isNull();
        assertThat(CompactJws.locate(bytes("eyJ9.ey=J9.AAEC"), 1024, 128)).isNull();
        assertThat(CompactJws.locate(bytes("eyJ9.eyJ9.eyJ9.AAEC"), 1024, 128)).isNull();
        assertThat(CompactJws.locate(bytes("eyJ9..AAEC"), 1024, 128)).isNull();
    }

    @Test
    void decodeWhenASegmentIsNotCanonicalThenNull() {
        // "AAE" and "AAF" decode to the same bytes; only the canonical spelling is accepted
        assertThat(CompactJws.locate(bytes("eyJ9.eyJ9.AAF"), 1024, 128).signature()).isNull();
        assertThat(CompactJws.locate(bytes("eyJ9.eyJ9.AAE"), 1024, 128).signature()).containsExactly(0, 1);
    }
}
