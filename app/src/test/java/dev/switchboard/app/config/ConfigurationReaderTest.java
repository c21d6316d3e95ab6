package dev.switchboard.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.secrets.Secret;
import dev.switchboard.core.secrets.SecretCipher;
import dev.switchboard.http.IpRange;
import dev.switchboard.http.RateLimitConfig;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigurationReaderTest {
    private static final String INTERNAL = "internal-secret-0123456789abcdefghijkl";
    private static final String SESSION = "session-secret-0123456789abcdefghijklm";
    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    private static final String WEBHOOK = "webhook-secret-value-0123456789abcdef";

    private static Map<String, String> production() {
        Map<String, String> env = new HashMap<>();
        env.put("APP_ENV", "production");
        env.put("PUBLIC_BASE_URL", "https://cti.example.com");
        env.put("INTERNAL_API_SECRET", INTERNAL);
        env.put("SESSION_SECRET", SESSION);
        env.put("TOKEN_ENCRYPTION_KEY", KEY);
        env.put("DIALPAD_WEBHOOK_SECRET", WEBHOOK);
        env.put("DATABASE_URL", "postgresql://switchboard:pw@db.internal:5432/switchboard");
        env.put("DIALPAD_PROD_CLIENT_ID", "prod-client");
        env.put("DIALPAD_PROD_CLIENT_SECRET", "prod-client-secret");
        return env;
    }

    private static Configuration valid(Map<String, String> env) {
        ConfigurationResult result = ConfigurationReader.read(env);
        assertThat(result).isInstanceOf(ConfigurationResult.Valid.class);
        return ((ConfigurationResult.Valid) result).configuration();
    }

    private static List<String> problems(Map<String, String> env) {
        ConfigurationResult result = ConfigurationReader.read(env);
        assertThat(result).isInstanceOf(ConfigurationResult.Invalid.class);
        return ((ConfigurationResult.Invalid) result).problems();
    }

    private static Map<String, String> with(Map<String, String> env, String... pairs) {
        Map<String, String> copy = new HashMap<>(env);
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] == null) {
                copy.remove(pairs[i]);
            } else {
                copy.put(pairs[i], pairs[i + 1]);
            }
        }
        return copy;
    }

    @Test
    void readWhenEnvironmentIsEmptyThenSandboxDefaults() {
        Configuration config = valid(Map.of());

        assertThat(config.environment()).isEqualTo(AppEnvironment.SANDBOX);
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(4000);
        assertThat(config.publicBaseUrl()).isEqualTo(URI.create("http://localhost:4000"));
        assertThat(config.dialpad().client()).isEmpty();
        assertThat(config.dialpad().redirectUri()).isEqualTo(URI.create("http://localhost:4000/auth/dialpad/callback"));
        assertThat(config.dialpad().baseUrl()).isEqualTo(URI.create("https://sandbox.dialpad.com"));
        assertThat(config.dialpad().scopes()).containsExactly("calls:list", "recordings_export", "offline_access");
        assertThat(config.secrets().toGenerate()).containsExactly("INTERNAL_API_SECRET", "SESSION_SECRET",
                "TOKEN_ENCRYPTION_KEY", "DIALPAD_WEBHOOK_SECRET");
        assertThat(config.database()).isEqualTo(new DatabaseConfig.Embedded(Path.of("data", "postgres"), 10));
        assertThat(config.trustedProxies()).isEmpty();
        assertThat(config.rateLimits()).isEqualTo(new RateLimitConfig(RateLimitConfig.Store.MEMORY, 300, 100, 1000, 10));
        assertThat(config.logging()).isEqualTo(new LoggingConfig("info", LoggingConfig.Format.JSON));
        assertThat(config.connectSuccessUrl()).isEmpty();
        assertThat(config.dataDirectory()).isEqualTo(Path.of("data"));
    }

    @Test
    void readWhenProductionIsCompleteThenValidWithProductionDefaults() {
        Configuration config = valid(production());

        assertThat(config.production()).isTrue();
        assertThat(config.dialpad().baseUrl()).isEqualTo(URI.create("https://dialpad.com"));
        assertThat(config.dialpad().redirectUri())
                .isEqualTo(URI.create("https://cti.example.com/auth/dialpad/callback"));
        assertThat(config.secrets().complete()).isTrue();
        assertThat(config.secrets().requireInternalApiSecret().value()).isEqualTo(INTERNAL);
        assertThat(config.secrets().requireTokenEncryptionKey().value()).isEqualTo(KEY);
        assertThat(config.database()).isEqualTo(new DatabaseConfig.External("jdbc:postgresql://db.internal:5432/switchboard",
                Optional.of("switchboard"), Optional.of(new Secret("pw")), 10));
    }

    @Test
    void readWhenNodeEnvIsSetThenItIsTheFallbackOfAppEnv() {
        Map<String, String> env = with(production(), "APP_ENV", null, "NODE_ENV", "production");
        assertThat(valid(env).environment()).isEqualTo(AppEnvironment.PRODUCTION);
        assertThat(valid(Map.of("NODE_ENV", "development")).environment()).isEqualTo(AppEnvironment.SANDBOX);
        assertThat(valid(Map.of("APP_ENV", "sandbox", "NODE_ENV", "production")).environment())
                .isEqualTo(AppEnvironment.SANDBOX);
    }

    @Test
    void readWhenAppEnvIsUnknownThenProblemAndProductionRulesApplied() {
        List<String> problems = problems(Map.of("APP_ENV", "prodution"));

        assertThat(problems.get(0)).startsWith("APP_ENV is 'prodution', expected sandbox or production");
        assertThat(problems).anyMatch(p -> p.startsWith("PUBLIC_BASE_URL is required in production"));
    }

    @Test
    void readWhenPortAndHostAreSetThenUsedForTheDefaultPublicUrl() {
        Configuration config = valid(Map.of("PORT", "8080", "HOST", "127.0.0.1"));

        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.publicBaseUrl()).isEqualTo(URI.create("http://localhost:8080"));
    }

    @Test
    void readWhenPortIsNotANumberThenProblem() {
        assertThat(problems(Map.of("PORT", "80a"))).containsExactly(
                "PORT is '80a', expected a port number (1 to 65535)");
        assertThat(problems(Map.of("PORT", "70000"))).hasSize(1);
        assertThat(problems(Map.of("HOST", "bad host"))).containsExactly(
                "HOST is 'bad host', which is not a host name or IP address");
    }

    @Test
    void readWhenPublicBaseUrlHasPathAndTrailingSlashThenSlashRemovedAndRedirectDerived() {
        Configuration config = valid(Map.of("PUBLIC_BASE_URL", "https://example.com/cti/"));

        assertThat(config.publicBaseUrl()).isEqualTo(URI.create("https://example.com/cti"));
        assertThat(config.dialpad().redirectUri()).isEqualTo(URI.create("https://example.com/cti/auth/dialpad/callback"));
    }

    @Test
    void readWhenPublicBaseUrlIsMalformedThenOneProblemEach() {
        assertThat(problems(Map.of("PUBLIC_BASE_URL", "example.com"))).containsExactly(
                "PUBLIC_BASE_URL must be an absolute http or https URL");
        assertThat(problems(Map.of("PUBLIC_BASE_URL", "https://example.com/?a=1"))).containsExactly(
                "PUBLIC_BASE_URL must not have a query (?...)");
        assertThat(problems(Map.of("PUBLIC_BASE_URL", "https://example.com/#top"))).containsExactly(
                "PUBLIC_BASE_URL must not have a fragment (#...)");
        assertThat(problems(Map.of("PUBLIC_BASE_URL", "https://user:pw@example.com"))).containsExactly(
                "PUBLIC_BASE_URL must not contain a user name or password");
    }

    @Test
    void readWhenProductionPublicBaseUrlIsMissingOrHttpThenRefused() {
        assertThat(problems(with(production(), "PUBLIC_BASE_URL", null))).containsExactly(
                "PUBLIC_BASE_URL is required in production: the https URL at which Dialpad and browsers reach this server");
        assertThat(problems(with(production(), "PUBLIC_BASE_URL", "http://cti.example.com"))).containsExactly(
                "PUBLIC_BASE_URL must be an https URL in production");
    }

    @Test
    void readWhenEnvironmentSpecificClientIsSetThenItWinsOverTheFallback() {
        Configuration sandbox = valid(Map.of("DIALPAD_SANDBOX_CLIENT_ID", "sandbox-id",
                "DIALPAD_SANDBOX_CLIENT_SECRET", "sandbox-secret", "DIALPAD_PROD_CLIENT_ID", "prod-id",
                "DIALPAD_PROD_CLIENT_SECRET", "prod-secret", "CLIENT_ID", "generic-id", "CLIENT_SECRET", "generic"));
        assertThat(sandbox.dialpad().client()).contains(
                new DialpadConfig.Client("sandbox-id", new Secret("sandbox-secret")));

        Configuration production = valid(with(production(), "DIALPAD_SANDBOX_CLIENT_ID", "sandbox-id",
                "DIALPAD_SANDBOX_CLIENT_SECRET", "sandbox-secret", "DIALPAD_PROD_CLIENT_ID", "prod-id",
                "DIALPAD_PROD_CLIENT_SECRET", "prod-secret"));
        assertThat(production.dialpad().client()).contains(
                new DialpadConfig.Client("prod-id", new Secret("prod-secret")));
    }

    @Test
    void readWhenOnlyGenericClientIsSetThenItIsUsed() {
        Configuration config = valid(Map.of("CLIENT_ID", "generic-id", "CLIENT_SECRET", "generic-secret"));

        assertThat(config.dialpad().client()).contains(
                new DialpadConfig.Client("generic-id", new Secret("generic-secret")));
    }

    @Test
    void readWhenClientSecretIsMissingThenProblemNamesIt() {
        assertThat(problems(Map.of("DIALPAD_SANDBOX_CLIENT_ID", "id"))).containsExactly(
                "DIALPAD_SANDBOX_CLIENT_SECRET (or CLIENT_SECRET) must be set when DIALPAD_SANDBOX_CLIENT_ID is set");
        assertThat(problems(Map.of("CLIENT_SECRET", "s"))).containsExactly(
                "DIALPAD_SANDBOX_CLIENT_ID (or CLIENT_ID) must be set when CLIENT_SECRET is set");
    }

    @Test
    void readWhenRedirectUriIsSetThenEnvironmentSpecificWinsOverFallback() {
        assertThat(valid(Map.of("REDIRECT_URI", "http://localhost:9000/cb")).dialpad().redirectUri())
                .isEqualTo(URI.create("http://localhost:9000/cb"));
        assertThat(valid(Map.of("REDIRECT_URI", "http://a.example/cb", "DIALPAD_SANDBOX_REDIRECT_URI",
                "http://b.example/cb")).dialpad().redirectUri()).isEqualTo(URI.create("http://b.example/cb"));
    }

    @Test
    void readWhenRedirectUriHasFragmentOrIsHttpInProductionThenRefused() {
        assertThat(problems(Map.of("REDIRECT_URI", "http://a.example/cb#x"))).containsExactly(
                "REDIRECT_URI must not have a fragment (#...)");
        assertThat(problems(with(production(), "DIALPAD_PROD_REDIRECT_URI", "http://cti.example.com/cb")))
                .containsExactly("DIALPAD_PROD_REDIRECT_URI must be an https URL in production");
    }

    @Test
    void readWhenBaseUrlIsSetThenUsedWithoutTrailingSlash() {
        assertThat(valid(Map.of("DIALPAD_SANDBOX_BASE_URL", "http://127.0.0.1:9999/")).dialpad().baseUrl())
                .isEqualTo(URI.create("http://127.0.0.1:9999"));
        assertThat(problems(with(production(), "DIALPAD_PROD_BASE_URL", "http://dialpad.example"))).containsExactly(
                "DIALPAD_PROD_BASE_URL must be an https URL in production");
    }

    @Test
    void readWhenScopesAreSetThenSplitOnSpacesAndCommas() {
        assertThat(valid(Map.of("DIALPAD_SCOPES", "calls:list,  offline_access calls:list")).dialpad().scopes())
                .containsExactly("calls:list", "offline_access");
        assertThat(problems(Map.of("DIALPAD_SCOPES", "calls\"list"))).hasSize(1);
    }

    @Test
    void readWhenProductionLacksEachSecretThenOneLineEach() {
        for (String name : List.of("INTERNAL_API_SECRET", "SESSION_SECRET", "TOKEN_ENCRYPTION_KEY",
                "DIALPAD_WEBHOOK_SECRET")) {
            assertThat(problems(with(production(), name, null)))
                    .singleElement().asString().startsWith(name + " is required in production");
        }
    }

    @Test
    void readWhenSecretsAreShortThenRefusedInAnyEnvironment() {
        assertThat(problems(Map.of("INTERNAL_API_SECRET", "short"))).containsExactly(
                "INTERNAL_API_SECRET must have at least 32 characters");
        assertThat(problems(with(production(), "SESSION_SECRET", "x".repeat(31)))).containsExactly(
                "SESSION_SECRET must have at least 32 characters");
    }

    @Test
    void readWhenProductionWebhookSecretIsShortThenOneLineNamingItWithoutItsValue() {
        String weak = "w".repeat(31);

        assertThat(problems(with(production(), "DIALPAD_WEBHOOK_SECRET", weak))).containsExactly(
                "DIALPAD_WEBHOOK_SECRET must have at least 32 characters");
        assertThat(valid(with(production(), "DIALPAD_WEBHOOK_SECRET", "w".repeat(32))).secrets()
                .requireDialpadWebhookSecret().value()).hasSize(32);
        assertThat(valid(Map.of("DIALPAD_WEBHOOK_SECRET", "hook")).secrets().requireDialpadWebhookSecret().value())
                .as("a sandbox keeps what its developer set").isEqualTo("hook");
    }

    @Test
    void readWhenTokenKeyIsNotBase64Of32BytesThenRefused() {
        assertThat(problems(Map.of("TOKEN_ENCRYPTION_KEY", "not base64!"))).containsExactly(
                "TOKEN_ENCRYPTION_KEY must be base64 of exactly 32 bytes: the encryption key is not valid base64");
        assertThat(problems(Map.of("TOKEN_ENCRYPTION_KEY", "AAECAwQFBgcICQoLDA0ODw=="))).containsExactly(
                "TOKEN_ENCRYPTION_KEY must be base64 of exactly 32 bytes: the encryption key must decode to 32 bytes, not 16");
    }

    @Test
    void readWhenTokenKeysAreGivenThenTheRingIsUsedAndTheSingleKeyOnlyOpens() {
        String other = "HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4=";
        String ring = "new:" + other + ",old:" + KEY;
        Configuration keysOnly = valid(with(production(), "TOKEN_ENCRYPTION_KEY", null, "TOKEN_ENCRYPTION_KEYS", ring));
        SecretCipher cipher = SecretCipher.fromKeyRing(
                keysOnly.secrets().requireTokenEncryptionKey().value(), new SecureRandom());
        assertThat(cipher.currentKeyId()).isEqualTo("new");
        assertThat(cipher.keyIds()).containsExactly("new", "old");

        SecretCipher both = SecretCipher.fromKeyRing(valid(with(production(), "TOKEN_ENCRYPTION_KEYS", "new:" + other))
                .secrets().requireTokenEncryptionKey().value(), new SecureRandom());
        String derived = SecretCipher.keyId(SecretCipher.decodeKey(KEY));
        assertThat(both.currentKeyId()).isEqualTo("new");
        assertThat(both.keyIds()).containsExactlyInAnyOrder("new", derived);
        assertThat(SecretCipher.fromKeyRing(valid(with(production(), "TOKEN_ENCRYPTION_KEYS", ring)).secrets()
                .requireTokenEncryptionKey().value(), new SecureRandom()).keyIds())
                .as("rows the single key sealed carry its derived id").containsExactlyInAnyOrder("new", "old", derived);
        String derivedRing = "new:" + other + "," + derived + ":" + KEY;
        assertThat(SecretCipher.fromKeyRing(valid(with(production(), "TOKEN_ENCRYPTION_KEYS", derivedRing)).secrets()
                .requireTokenEncryptionKey().value(), new SecureRandom()).keyIds())
                .as("named by its derived id, the single key is not added twice")
                .containsExactlyInAnyOrder("new", derived);
        assertThat(problems(with(production(), "TOKEN_ENCRYPTION_KEYS", derived + ":" + other))).singleElement()
                .asString().startsWith("TOKEN_ENCRYPTION_KEYS names key id " + derived).doesNotContain(other);
    }

    @Test
    void readWhenTokenKeysAreMalformedThenTheProblemNamesTheVariableAndKeyIdNeverAKey() {
        String shortKey = "AAECAwQFBgcICQoLDA0ODw==";
        List<String> problems = problems(with(production(), "TOKEN_ENCRYPTION_KEY", null,
                "TOKEN_ENCRYPTION_KEYS", "new:" + KEY + ",old:" + shortKey));

        assertThat(problems).singleElement().asString().startsWith("TOKEN_ENCRYPTION_KEYS ").contains("key old")
                .doesNotContain(shortKey).doesNotContain(KEY);
        assertThat(problems(with(production(), "TOKEN_ENCRYPTION_KEYS", "no-colon"))).singleElement().asString()
                .startsWith("TOKEN_ENCRYPTION_KEYS ").contains("entry 1").doesNotContain("no-colon");
    }

    @Test
    void readWhenSandboxSecretsAreSetThenProvidedOthersLeftToGenerate() {
        Configuration config = valid(Map.of("INTERNAL_API_SECRET", INTERNAL, "TOKEN_ENCRYPTION_KEY", KEY));

        assertThat(config.secrets().internalApiSecret()).isEqualTo(SecretSetting.provided(INTERNAL));
        assertThat(config.secrets().toGenerate()).containsExactly("SESSION_SECRET", "DIALPAD_WEBHOOK_SECRET");
    }

    @Test
    void readWhenDatabaseUrlIsLibpqFormThenConvertedAndPercentDecoded() {
        DatabaseConfig database = valid(Map.of("DATABASE_URL",
                "postgres://app%40corp:p%3Ass+w%2Frd@[::1]:6543/my%20db?sslmode=require&password=ignored-later"))
                .database();

        assertThat(database).isEqualTo(new DatabaseConfig.External("jdbc:postgresql://[::1]:6543/my+db?sslmode=require",
                Optional.of("app@corp"), Optional.of(new Secret("ignored-later")), 10));
        DatabaseConfig plain = valid(Map.of("DATABASE_URL", "postgresql://u:p%3As+w@db_host/sb")).database();
        assertThat(plain).isEqualTo(new DatabaseConfig.External("jdbc:postgresql://db_host/sb", Optional.of("u"),
                Optional.of(new Secret("p:s+w")), 10));
    }

    @Test
    void readWhenDatabaseUrlIsJdbcFormThenCredentialsMovedOutOfTheUrl() {
        DatabaseConfig database = valid(Map.of("DATABASE_URL",
                "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&password=s%26cret&ssl=true", "DB_MAX_CLIENTS", "25"))
                .database();

        assertThat(database).isEqualTo(new DatabaseConfig.External("jdbc:postgresql://127.0.0.1:5432/test?ssl=true",
                Optional.of("postgres"), Optional.of(new Secret("s&cret")), 25));
    }

    @Test
    void readWhenDbVariablesAreSetThenUrlBuiltFromThem() {
        DatabaseConfig database = valid(Map.of("DB_HOST", "db.example", "DB_PORT", "6000", "DB_USER", "sb",
                "DB_PASSWORD", "pw", "DB_NAME", "switchboard", "PGHOST", "ignored")).database();

        assertThat(database).isEqualTo(new DatabaseConfig.External("jdbc:postgresql://db.example:6000/switchboard",
                Optional.of("sb"), Optional.of(new Secret("pw")), 10));
    }

    @Test
    void readWhenPgVariablesAreSetThenUrlBuiltFromThem() {
        DatabaseConfig database = valid(Map.of("PGHOST", "::1", "PGUSER", "me", "PGDATABASE", "cti")).database();

        assertThat(database).isEqualTo(new DatabaseConfig.External("jdbc:postgresql://[::1]:5432/cti",
                Optional.of("me"), Optional.empty(), 10));
        assertThat(problems(Map.of("PGHOST", "/var/run/postgresql"))).singleElement().asString()
                .startsWith("PGHOST names a Unix socket directory");
    }

    @Test
    void readWhenDatabaseUrlIsBadThenProblemWithoutThePassword() {
        assertThat(problems(Map.of("DATABASE_URL", "mysql://u:hunter2@h/db"))).containsExactly(
                "DATABASE_URL must start with postgresql://, postgres:// or jdbc:postgresql://");
        assertThat(problems(Map.of("DATABASE_URL", "postgresql://u:hunter2@h1,h2/db"))).containsExactly(
                "DATABASE_URL names several hosts, which is not supported");
        assertThat(problems(Map.of("DATABASE_URL", "postgresql://u:hun ter2@h/db"))).singleElement().asString()
                .doesNotContain("hun ter2").startsWith("DATABASE_URL is not a valid PostgreSQL URL");
    }

    @Test
    void readWhenProductionHasNoDialpadClientThenStartsWithoutOne() {
        Configuration config = valid(with(with(production(), "DIALPAD_PROD_CLIENT_ID", null),
                "DIALPAD_PROD_CLIENT_SECRET", null));

        assertThat(config.production()).isTrue();
        assertThat(config.dialpad().client()).isEmpty();
    }

    @Test
    void readWhenProductionHasNoDatabaseThenRefused() {
        assertThat(problems(with(production(), "DATABASE_URL", null))).singleElement().asString()
                .startsWith("DATABASE_URL is required in production");
    }

    @Test
    void readWhenTrustProxyListsAddressesAndBlocksThenParsed() {
        Configuration config = valid(Map.of("TRUST_PROXY", "10.0.0.1, 192.168.0.0/16,2001:db8::/32 , loopback"));

        assertThat(config.trustedProxies()).extracting(IpRange::toString).containsExactly("10.0.0.1/32",
                "192.168.0.0/16", "2001:db8:0:0:0:0:0:0/32", "127.0.0.0/8", "0:0:0:0:0:0:0:1/128");
    }

    @Test
    void readWhenTrustProxyHasBadEntriesThenOneProblemEach() {
        assertThat(problems(Map.of("TRUST_PROXY", "10.0.0.256, proxy.example, 10.0.0.0/33, true"))).hasSize(4)
                .allMatch(p -> p.startsWith("TRUST_PROXY "));
    }

    @Test
    void readWhenCorsOriginsAreUnsetThenCorsIsOff() {
        assertThat(valid(Map.of()).corsAllowedOrigins()).isEmpty();
        assertThat(valid(production()).corsAllowedOrigins()).isEmpty();
    }

    @Test
    void readWhenCorsOriginsAreListedThenNormalisedAndDeduplicated() {
        Configuration config = valid(Map.of("CORS_ALLOWED_ORIGINS",
                "https://CRM.example.com, http://localhost:3000,,https://crm.example.com"));

        assertThat(config.corsAllowedOrigins()).containsExactly("https://crm.example.com", "http://localhost:3000");
    }

    @Test
    void readWhenCorsOriginIsAWildcardPathOrNotAnOriginThenOneProblemEach() {
        assertThat(problems(Map.of("CORS_ALLOWED_ORIGINS",
                "*, https://crm.example.com/app, ftp://crm.example.com, crm.example.com, https://crm.example.com/")))
                .hasSize(5).allMatch(p -> p.startsWith("CORS_ALLOWED_ORIGINS "));
    }

    @Test
    void readWhenProductionCorsOriginIsHttpThenRefused() {
        assertThat(problems(with(production(), "CORS_ALLOWED_ORIGINS", "http://crm.example.com")))
                .containsExactly("CORS_ALLOWED_ORIGINS contains 'http://crm.example.com', but production allows "
                        + "only https origins");
        assertThat(valid(with(production(), "CORS_ALLOWED_ORIGINS", "https://crm.example.com"))
                .corsAllowedOrigins()).containsExactly("https://crm.example.com");
    }

    @Test
    void readWhenRateLimitsAreSetThenUsedAndValidated() {
        Configuration config = valid(Map.of("RATE_LIMIT_STORE", "postgres", "RATE_LIMIT_API_PER_MINUTE", "50",
                "RATE_LIMIT_INTERNAL_PER_MINUTE", "5", "RATE_LIMIT_WEBHOOKS_PER_MINUTE", "5000",
                "RATE_LIMIT_OAUTH_FAILURES_PER_15_MINUTES", "3"));
        assertThat(config.rateLimits()).isEqualTo(new RateLimitConfig(RateLimitConfig.Store.POSTGRES, 50, 5, 5000, 3));

        assertThat(problems(Map.of("RATE_LIMIT_STORE", "redis", "RATE_LIMIT_API_PER_MINUTE", "0",
                "RATE_LIMIT_WEBHOOKS_PER_MINUTE", "-1"))).containsExactly(
                "RATE_LIMIT_STORE is 'redis', expected memory or postgres",
                "RATE_LIMIT_API_PER_MINUTE is '0', expected a positive whole number (at most 1000000)",
                "RATE_LIMIT_WEBHOOKS_PER_MINUTE is '-1', expected a positive whole number (at most 1000000)");
    }

    @Test
    void readWhenEdgeLimitsAreSetThenUsedAndValidatedAndElseTheDefaults() {
        assertThat(valid(Map.of()).edgeLimits()).isEqualTo(new EdgeLimitsConfig(256, 100));
        assertThat(valid(Map.of("HTTP_MAX_CONNECTIONS_PER_CLIENT", "20", "WS_MAX_SOCKETS_PER_APP", "500"))
                .edgeLimits()).isEqualTo(new EdgeLimitsConfig(20, 500));

        assertThat(problems(Map.of("HTTP_MAX_CONNECTIONS_PER_CLIENT", "0", "WS_MAX_SOCKETS_PER_APP", "many")))
                .containsExactly(
                        "HTTP_MAX_CONNECTIONS_PER_CLIENT is '0', expected a positive whole number (at most 100000)",
                        "WS_MAX_SOCKETS_PER_APP is 'many', expected a positive whole number (at most 100000)");
    }

    @Test
    void readWhenShutdownDrainIsSetThenUsedAndValidatedAndElseTenSeconds() {
        assertThat(valid(Map.of()).operations().shutdownDrain()).isEqualTo(Duration.ofSeconds(10));
        assertThat(valid(Map.of("SHUTDOWN_DRAIN_SECONDS", "0")).operations().shutdownDrain()).isZero();
        assertThat(valid(Map.of("SHUTDOWN_DRAIN_SECONDS", "45")).operations().shutdownDrain())
                .isEqualTo(Duration.ofSeconds(45));

        assertThat(problems(Map.of("SHUTDOWN_DRAIN_SECONDS", "-1"))).containsExactly(
                "SHUTDOWN_DRAIN_SECONDS is '-1', expected a whole number of seconds (0 to 600)");
        assertThat(problems(Map.of("SHUTDOWN_DRAIN_SECONDS", "601"))).containsExactly(
                "SHUTDOWN_DRAIN_SECONDS is '601', expected a whole number of seconds (0 to 600)");
    }

    @Test
    void readWhenEventRetentionIsADurationOrDaysThenUsedAndElseSevenDays() {
        assertThat(valid(Map.of()).operations().eventRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(valid(Map.of("EVENT_RETENTION", "36h")).operations().eventRetention())
                .isEqualTo(Duration.ofHours(36));
        assertThat(valid(Map.of("EVENT_RETENTION", "90m")).operations().eventRetention())
                .isEqualTo(Duration.ofMinutes(90));
        assertThat(valid(Map.of("EVENT_RETENTION", "14d")).operations().eventRetention())
                .isEqualTo(Duration.ofDays(14));
        assertThat(valid(Map.of("EVENT_RETENTION_DAYS", "30")).operations().eventRetention())
                .isEqualTo(Duration.ofDays(30));
        // the newer name wins when both are set
        assertThat(valid(Map.of("EVENT_RETENTION", "2d", "EVENT_RETENTION_DAYS", "30")).operations()
                .eventRetention()).isEqualTo(Duration.ofDays(2));

        assertThat(problems(Map.of("EVENT_RETENTION", "7 days"))).containsExactly("EVENT_RETENTION is '7 days', "
                + "expected a number and a unit (ms, s, m, h, d) of at least 1h, e.g. 7d");
        // shorter than Dialpad's redelivery needs to be recognised as a duplicate
        assertThat(problems(Map.of("EVENT_RETENTION", "500ms"))).containsExactly("EVENT_RETENTION is '500ms', "
                + "expected a number and a unit (ms, s, m, h, d) of at least 1h, e.g. 7d");
        assertThat(problems(Map.of("EVENT_RETENTION_DAYS", "0"))).containsExactly(
                "EVENT_RETENTION_DAYS is '0', expected a whole number of days (1 to 36500)");
    }

    @Test
    void readWhenLoggingIsSetThenUsedAndValidated() {
        assertThat(valid(Map.of("LOG_LEVEL", "DEBUG", "LOG_FORMAT", "text")).logging())
                .isEqualTo(new LoggingConfig("debug", LoggingConfig.Format.TEXT));
        assertThat(problems(Map.of("LOG_LEVEL", "loud", "LOG_FORMAT", "xml"))).containsExactly(
                "LOG_LEVEL is 'loud', expected one of trace, debug, info, warn, error",
                "LOG_FORMAT is 'xml', expected json or text");
    }

    @Test
    void readWhenConnectSuccessUrlIsSetThenHttpsNeededInProduction() {
        assertThat(valid(Map.of("CONNECT_SUCCESS_URL", "http://localhost:3000/done?x=1")).connectSuccessUrl())
                .contains(URI.create("http://localhost:3000/done?x=1"));
        assertThat(problems(with(production(), "CONNECT_SUCCESS_URL", "http://crm.example/done"))).containsExactly(
                "CONNECT_SUCCESS_URL must be an https URL in production");
    }

    @Test
    void readWhenBlankValuesAreGivenThenTreatedAsUnset() {
        assertThat(valid(Map.of("PORT", " ", "INTERNAL_API_SECRET", "", "DATABASE_URL", "  ")).port()).isEqualTo(4000);
    }

    @Test
    void readWhenFiveThingsAreWrongThenAllFiveAreListed() {
        Map<String, String> env = with(production(), "PUBLIC_BASE_URL", "http://cti.example.com",
                "INTERNAL_API_SECRET", "short-internal", "SESSION_SECRET", null, "TOKEN_ENCRYPTION_KEY", "tooShortKey",
                "DATABASE_URL", null);

        assertThat(problems(env)).hasSize(5).satisfiesExactly(
                p -> assertThat(p).startsWith("PUBLIC_BASE_URL "),
                p -> assertThat(p).startsWith("INTERNAL_API_SECRET "),
                p -> assertThat(p).startsWith("SESSION_SECRET "),
                p -> assertThat(p).startsWith("TOKEN_ENCRYPTION_KEY "),
                p -> assertThat(p).startsWith("DATABASE_URL "));
    }

    @Test
    void readWhenSecretsAreInvalidThenNoProblemContainsTheirValues() {
        Map<String, String> env = with(production(), "INTERNAL_API_SECRET", "internal-too-short",
                "SESSION_SECRET", "session-too-short", "TOKEN_ENCRYPTION_KEY", "key-that-is-wrong",
                "DATABASE_URL", "postgresql://user:db-password-value@h1,h2/db",
                "DIALPAD_PROD_CLIENT_ID", null, "DIALPAD_PROD_CLIENT_SECRET", "client-secret-value");

        List<String> problems = problems(env);

        assertThat(problems).hasSize(5);
        for (String secret : List.of("internal-too-short", "session-too-short", "key-that-is-wrong",
                "db-password-value", "client-secret-value")) {
            assertThat(problems).noneMatch(p -> p.contains(secret));
        }
    }

    @Test
    void toStringWhenConfigurationHoldsSecretsThenNoneShown() {
        Map<String, String> env = with(production(), "DIALPAD_PROD_CLIENT_ID", "id",
                "DIALPAD_PROD_CLIENT_SECRET", "client-secret-value");

        String text = valid(env).toString();

        assertThat(text).contains("redacted").doesNotContain(INTERNAL).doesNotContain(SESSION)
                .doesNotContain(KEY).doesNotContain(WEBHOOK).doesNotContain("client-secret-value")
                .doesNotContain("pw]");
    }
}
