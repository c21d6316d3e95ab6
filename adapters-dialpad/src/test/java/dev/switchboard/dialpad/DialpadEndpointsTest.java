package dev.switchboard.dialpad;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DialpadEndpointsTest {
    @Test
    void endpointsWhenBaseHasTrailingSlashThenPathsAreJoinedOnce() {
        DialpadEndpoints endpoints = DialpadEndpoints.of("https://sandbox.dialpad.com/");

        assertThat(endpoints.authorize()).hasToString("https://sandbox.dialpad.com/oauth2/authorize");
        assertThat(endpoints.token()).hasToString("https://sandbox.dialpad.com/oauth2/token");
        assertThat(endpoints.deauthorize()).hasToString("https://sandbox.dialpad.com/oauth2/deauthorize");
        assertThat(endpoints.company()).hasToString("https://sandbox.dialpad.com/api/v2/company");
        assertThat(endpoints.callSubscriptions()).hasToString("https://sandbox.dialpad.com/api/v2/subscriptions/call");
        assertThat(endpoints.smsSubscriptions()).hasToString("https://sandbox.dialpad.com/api/v2/subscriptions/sms");
        assertThat(endpoints.webhook("123")).hasToString("https://sandbox.dialpad.com/api/v2/webhooks/123");
    }

    @Test
    void endpointsWhenBaseIsALocalFakeWithPortThenKeepsThePort() {
        assertThat(DialpadEndpoints.of("http://127.0.0.1:8123").token()).hasToString("http://127.0.0.1:8123/oauth2/token");
    }

    @Test
    void ofWhenBaseHasQueryOrOtherSchemeThenRejected() {
        assertThatThrownBy(() -> DialpadEndpoints.of("https://dialpad.com?x=1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DialpadEndpoints.of("ftp://dialpad.com")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void webhookWhenIdWouldEscapeThePathThenRejected() {
        DialpadEndpoints endpoints = DialpadEndpoints.of("https://dialpad.com");
        assertThatThrownBy(() -> endpoints.webhook("../oauth2/token")).isInstanceOf(IllegalArgumentException.class);
    }
}
