package dev.switchboard.core.testing;

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
import java.util.Objects;

/**
 * A {@link DialpadAuthorizationServer} whose answers a test sets, recording what it was asked. By default it grants
 * tokens ({@code access-1}, {@code refresh-1}, one hour), names organisation {@code org-42} and confirms revocations.
 * Usage: {@code dialpad.answerExchange(new TokenGrant.Refused("invalid_grant"))}, then
 * {@code assertThat(dialpad.exchanged()).containsExactly("the-code")}. Thread-safe.
 */
public final class ScriptedAuthorizationServer implements DialpadAuthorizationServer {
    private TokenGrant exchange = new TokenGrant.Tokens(new TokenResponse("access-1", "refresh-1", "bearer", 3600L));
    private TokenGrant refresh = new TokenGrant.Tokens(new TokenResponse("access-2", "refresh-2", "bearer", 3600L));
    private CompanyLookup company = new CompanyLookup.Found("org-42");
    private Revocation revocation = new Revocation.Revoked();
    private final List<String> exchanged = new ArrayList<>();
    private final List<String> refreshed = new ArrayList<>();
    private final List<String> deauthorized = new ArrayList<>();

    /** What every later code exchange answers. */
    public synchronized void answerExchange(TokenGrant grant) {
        this.exchange = Objects.requireNonNull(grant, "grant");
    }

    /** What every later refresh answers. */
    public synchronized void answerRefresh(TokenGrant grant) {
        this.refresh = Objects.requireNonNull(grant, "grant");
    }

    /** What every later organisation lookup answers. */
    public synchronized void answerCompany(CompanyLookup lookup) {
        this.company = Objects.requireNonNull(lookup, "lookup");
    }

    /** What every later revocation answers. */
    public synchronized void answerRevocation(Revocation answer) {
        this.revocation = Objects.requireNonNull(answer, "answer");
    }

    /** The codes exchanged so far, in order. */
    public synchronized List<String> exchanged() {
        return List.copyOf(exchanged);
    }

    /** The refresh tokens presented so far, in order. */
    public synchronized List<String> refreshed() {
        return List.copyOf(refreshed);
    }

    /** The access tokens whose grants were revoked so far, in order. */
    public synchronized List<String> deauthorized() {
        return List.copyOf(deauthorized);
    }

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
        return exchange;
    }

    @Override
    public synchronized TokenGrant refresh(String refreshToken) {
        refreshed.add(refreshToken);
        return refresh;
    }

    @Override
    public synchronized Revocation deauthorize(String accessToken) {
        deauthorized.add(accessToken);
        return revocation;
    }

    @Override
    public synchronized CompanyLookup companyId(String accessToken) {
        return company;
    }
}
