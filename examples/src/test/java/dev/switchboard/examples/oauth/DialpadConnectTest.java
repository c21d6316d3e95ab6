package dev.switchboard.examples.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.oauth.Pkce;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DialpadConnectTest {
    private static final URI AUTHORIZE = URI.create("https://dialpad.example/oauth2/authorize");
    private static final URI CALLBACK = URI.create("https://crm.example/dialpad/callback");
    private static final URI RETURN_TO = URI.create("https://crm.example/settings");
    private static final String COOKIE_SECRET = "a-cookie-secret-of-at-least-32-bytes!";

    private final DialpadConnect connect = DialpadConnect.create(AUTHORIZE, "client-1", CALLBACK, COOKIE_SECRET,
            Clock.fixed(Instant.parse("2025-03-01T12:00:00Z"), ZoneOffset.UTC));

    @Test
    void beginThenFinishWhenSameBrowserThenVerifierMatchesTheChallengeSentToDialpad() {
        DialpadConnect.Redirect redirect = connect.begin(RETURN_TO);
        Map<String, String> query = query(redirect.authorizeUrl());

        DialpadConnect.Resumed resumed = connect.finish(query.get("state"), redirect.cookieValue()).orElseThrow();

        assertThat(redirect.authorizeUrl().toString()).startsWith(AUTHORIZE + "?");
        assertThat(query).containsEntry("response_type", "code").containsEntry("client_id", "client-1")
                .containsEntry("redirect_uri", CALLBACK.toString()).containsEntry("code_challenge_method", "S256");
        assertThat(query.get("code_challenge")).isEqualTo(Pkce.challengeS256(resumed.verifier().value()));
        assertThat(resumed.returnTo()).isEqualTo(RETURN_TO);
    }

    @Test
    void finishWhenStateReplayedOrAnotherBrowserThenRefused() {
        DialpadConnect.Redirect mine = connect.begin(RETURN_TO);
        DialpadConnect.Redirect theirs = connect.begin(RETURN_TO);
        String myState = query(mine.authorizeUrl()).get("state");
        String theirState = query(theirs.authorizeUrl()).get("state");

        assertThat(connect.finish(theirState, mine.cookieValue())).isEmpty();
        assertThat(connect.finish(theirState, theirs.cookieValue())).as("burnt by the mismatch").isEmpty();
        assertThat(connect.finish(myState, mine.cookieValue())).isPresent();
        assertThat(connect.finish(myState, mine.cookieValue())).as("a state is used once").isEmpty();
        assertThat(connect.finish(null, mine.cookieValue())).isEmpty();
    }

    private static Map<String, String> query(URI uri) {
        return Arrays.stream(uri.getRawQuery().split("&")).map(pair -> pair.split("=", 2))
                .collect(Collectors.toMap(pair -> pair[0], pair -> URLDecoder.decode(pair[1], StandardCharsets.UTF_8)));
    }
}
