package dev.switchboard.http;

import dev.switchboard.core.oauth.CompanyLookup;
import dev.switchboard.core.oauth.DialpadAuthorizationServer;
import dev.switchboard.core.oauth.Revocation;
import dev.switchboard.core.oauth.TokenGrant;
import dev.switchboard.core.oauth.TokenResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Dialpad the routes talk to, scripted by each test; the in-memory stores come from core's test fixtures
 * ({@code dev.switchboard.core.testing}).
 */
final class InMemoryPorts {
    private InMemoryPorts() {
    }

    /** A Dialpad whose answers a test sets; it records what it was asked. */
    static final class ScriptedDialpad implements DialpadAuthorizationServer {
        volatile TokenGrant grant = new TokenGrant.Tokens(new TokenResponse("access-1", "refresh-1", "bearer", 3600L));
        volatile CompanyLookup company = new CompanyLookup.Found("org-42");
        volatile Revocation revocation = new Revocation.Revoked();
        final List<String> exchanged = new ArrayList<>();
        final List<String> deauthorized = new ArrayList<>();

        @Override
        public URI authorizeUrl(String state, String codeChallenge, List<String> scopes) {
            return URI.create("https://dialpad.test/oauth2/authorize?response_type=code&state="
                    + URLEncoder.encode(state, StandardCharsets.UTF_8) + "&code_challenge=" + codeChallenge
                    + "&code_challenge_method=S256&scope="
                    + URLEncoder.encode(String.join(" ", scopes), StandardCharsets.UTF_8));
        }

        @Override
        public synchronized TokenGrant exchange(String code, String verifier) {
            exchanged.add(code);
            return grant;
        }

        @Override
        public TokenGrant refresh(String refreshToken) {
            throw new UnsupportedOperationException("not used by these routes");
        }

        @Override
        public synchronized Revocation deauthorize(String accessToken) {
            deauthorized.add(accessToken);
            return revocation;
        }

        @Override
        public CompanyLookup companyId(String accessToken) {
            return company;
        }
    }
}
