package dev.switchboard.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.secrets.Secret;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RotatingSecretsTest {
    private static final String OLD = "old-secret-value-0123456789abcdefghij";
    private static final String NEW = "new-secret-value-0123456789abcdefghij";
    private static final String SHORT = "short-second";

    private static Map<String, String> production(String name, String value) {
        Map<String, String> env = new HashMap<>();
        env.put("APP_ENV", "production");
        env.put("PUBLIC_BASE_URL", "https://cti.example.com");
        env.put("INTERNAL_API_SECRET", OLD);
        env.put("SESSION_SECRET", "session-secret-0123456789abcdefghijklm");
        env.put("TOKEN_ENCRYPTION_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        env.put("DIALPAD_WEBHOOK_SECRET", OLD);
        env.put("DATABASE_URL", "postgresql://switchboard:pw@db.internal:5432/switchboard");
        env.put("DIALPAD_PROD_CLIENT_ID", "prod-client");
        env.put("DIALPAD_PROD_CLIENT_SECRET", "prod-client-secret");
        env.put(name, value);
        return env;
    }

    private static ConfigurationResult read(Map<String, String> env) {
        return ConfigurationReader.read(env);
    }

    private static List<String> problems(Map<String, String> env) {
        ConfigurationResult result = read(env);
        assertThat(result).isInstanceOf(ConfigurationResult.Invalid.class);
        return ((ConfigurationResult.Invalid) result).problems();
    }

    @Test
    void valuesWhenTwoWithSpacesThenBothStrippedInOrder() {
        assertThat(SecretValues.of(new Secret(" " + OLD + " , " + NEW + " "))).containsExactly(OLD, NEW);
        assertThat(SecretValues.of(new Secret(OLD))).containsExactly(OLD);
    }

    @Test
    void valuesWhenThreeOrOneEmptyThenRefusedWithoutTheValues() {
        assertThatThrownBy(() -> SecretValues.of(new Secret(OLD + "," + NEW + "," + NEW)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 2")
                .message().doesNotContain(OLD);
        assertThatThrownBy(() -> SecretValues.of(new Secret(OLD + ",")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("value 2 of 2 is empty");
        assertThatThrownBy(() -> SecretValues.of(new Secret(" , " + NEW)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("value 1 of 2 is empty");
    }

    @Test
    void readWhenBothSecretsHoldTwoLongValuesInProductionThenValid() {
        Map<String, String> env = production("INTERNAL_API_SECRET", OLD + "," + NEW);
        env.put("DIALPAD_WEBHOOK_SECRET", NEW + ", " + OLD);

        ConfigurationResult result = read(env);

        assertThat(result).isInstanceOf(ConfigurationResult.Valid.class);
        Secrets secrets = ((ConfigurationResult.Valid) result).configuration().secrets();
        assertThat(SecretValues.of(secrets.requireInternalApiSecret())).containsExactly(OLD, NEW);
        assertThat(SecretValues.of(secrets.requireDialpadWebhookSecret())).containsExactly(NEW, OLD);
    }

    @Test
    void readWhenProductionSecondValueIsShortThenProblemNamesVariableAndValueNotTheValue() {
        for (String name : List.of("INTERNAL_API_SECRET", "DIALPAD_WEBHOOK_SECRET")) {
            assertThat(problems(production(name, OLD + "," + SHORT)))
                    .containsExactly(name + " value 2 of 2 must have at least 32 characters")
                    .allSatisfy(problem -> assertThat(problem).doesNotContain(SHORT).doesNotContain(OLD));
        }
    }

    @Test
    void readWhenThreeValuesOrAnEmptyOneThenProblem() {
        assertThat(problems(production("INTERNAL_API_SECRET", OLD + "," + NEW + "," + OLD))).singleElement()
                .asString().startsWith("INTERNAL_API_SECRET has 3 comma-separated values");
        assertThat(problems(production("DIALPAD_WEBHOOK_SECRET", OLD + ",,"))).singleElement()
                .asString().startsWith("DIALPAD_WEBHOOK_SECRET has 3 comma-separated values");
        assertThat(problems(production("DIALPAD_WEBHOOK_SECRET", OLD + ", "))).containsExactly(
                "DIALPAD_WEBHOOK_SECRET value 2 of 2 is empty");
    }

    @Test
    void readWhenSandboxWebhookSecretHasTwoShortValuesThenValidButInternalStillNeedsLength() {
        ConfigurationResult sandbox = read(Map.of("DIALPAD_WEBHOOK_SECRET", "hook,next-hook"));
        assertThat(sandbox).isInstanceOf(ConfigurationResult.Valid.class);
        assertThat(SecretValues.of(((ConfigurationResult.Valid) sandbox).configuration().secrets()
                .requireDialpadWebhookSecret())).containsExactly("hook", "next-hook");

        assertThat(problems(Map.of("INTERNAL_API_SECRET", OLD + "," + SHORT))).containsExactly(
                "INTERNAL_API_SECRET value 2 of 2 must have at least 32 characters");
    }

    @Test
    void secretsWhenInternalSecondValueIsShortThenRefused() {
        assertThatThrownBy(() -> new Secrets(SecretSetting.provided(OLD + "," + SHORT),
                new SecretSetting.GenerateInSandbox(), new SecretSetting.GenerateInSandbox(),
                new SecretSetting.GenerateInSandbox()))
                .isInstanceOf(IllegalArgumentException.class).message().doesNotContain(SHORT);
    }
}
