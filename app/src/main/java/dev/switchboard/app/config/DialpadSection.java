package dev.switchboard.app.config;

import static dev.switchboard.app.config.EnvironmentVariables.shown;

import dev.switchboard.core.secrets.Secret;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The Dialpad variables: the OAuth client, the redirect URI, Dialpad's base URL and the scopes. */
final class DialpadSection {
    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");
    private static final Pattern CLIENT_ID = Pattern.compile("[\\x21-\\x7E]{1,200}");

    private final EnvironmentVariables env;

    DialpadSection(EnvironmentVariables env) {
        this.env = env;
    }

    DialpadConfig dialpad(boolean production, URI publicBaseUrl) {
        String prefix = production ? "DIALPAD_PROD_" : "DIALPAD_SANDBOX_";
        Optional<DialpadConfig.Client> client = client(prefix);

        String redirectName = env.firstSet(prefix + "REDIRECT_URI", "REDIRECT_URI");
        URI redirectUri;
        if (redirectName != null) {
            redirectUri = env.url(redirectName, env.optional(redirectName).orElseThrow(), production, true, false)
                    .orElse(null);
        } else {
            redirectUri = publicBaseUrl == null ? null : URI.create(publicBaseUrl + ConfigurationReader.CALLBACK_PATH);
        }

        String baseName = prefix + "BASE_URL";
        String baseText = env.optional(baseName)
                .orElse(production ? ConfigurationReader.DEFAULT_PRODUCTION_BASE_URL
                        : ConfigurationReader.DEFAULT_SANDBOX_BASE_URL);
        URI baseUrl = env.url(baseName, baseText, production, false, false)
                .map(ConfigurationReader::withoutTrailingSlash)
                .orElse(null);

        List<String> scopes = scopes();
        if (redirectUri == null || baseUrl == null || scopes.isEmpty()) {
            return null;
        }
        return new DialpadConfig(client, redirectUri, baseUrl, scopes);
    }

    private Optional<DialpadConfig.Client> client(String prefix) {
        String idName = env.firstSet(prefix + "CLIENT_ID", "CLIENT_ID");
        String secretName = env.firstSet(prefix + "CLIENT_SECRET", "CLIENT_SECRET");
        if (idName == null && secretName == null) {
            // optional, in production too (the contract's default is none): the server then receives webhooks
            // and serves its data, and /auth/dialpad/* say that no client is configured; start-up warns
            return Optional.empty();
        }
        if (idName == null) {
            env.problem(prefix + "CLIENT_ID", "(or CLIENT_ID) must be set when " + secretName + " is set");
            return Optional.empty();
        }
        if (secretName == null) {
            env.problem(prefix + "CLIENT_SECRET", "(or CLIENT_SECRET) must be set when " + idName + " is set");
            return Optional.empty();
        }
        String id = env.optional(idName).orElseThrow();
        if (!CLIENT_ID.matcher(id).matches()) {
            env.problem(idName, "must be 1 to 200 visible ASCII characters");
            return Optional.empty();
        }
        return Optional.of(new DialpadConfig.Client(id, new Secret(env.optional(secretName).orElseThrow())));
    }

    private List<String> scopes() {
        String text = env.optional("DIALPAD_SCOPES").orElse(ConfigurationReader.DEFAULT_SCOPES);
        Set<String> scopes = new LinkedHashSet<>();
        for (String token : text.split("[\\s,]+")) {
            if (token.isEmpty()) {
                continue;
            }
            if (!SCOPE_TOKEN.matcher(token).matches()) {
                env.problem("DIALPAD_SCOPES", "contains " + shown(token) + ", which is not a valid scope (RFC 6749 "
                        + "section 3.3)");
                return List.of();
            }
            scopes.add(token);
        }
        if (scopes.isEmpty()) {
            env.problem("DIALPAD_SCOPES", "must list at least one scope");
            return List.of();
        }
        return List.copyOf(scopes);
    }
}
