package dev.switchboard.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.secrets.Secret;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {
    private static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    @Test
    void withGeneratedWhenSomeAreMissingThenFilledAndOthersKept() {
        Secrets secrets = new Secrets(SecretSetting.provided("i".repeat(32)), new SecretSetting.GenerateInSandbox(),
                new SecretSetting.GenerateInSandbox(), SecretSetting.provided("hook"));

        Secrets filled = secrets.withGenerated(Map.of("SESSION_SECRET", new Secret("s".repeat(40)),
                "TOKEN_ENCRYPTION_KEY", new Secret(KEY)));

        assertThat(filled.complete()).isTrue();
        assertThat(filled.requireInternalApiSecret().value()).isEqualTo("i".repeat(32));
        assertThat(filled.requireSessionSecret().value()).isEqualTo("s".repeat(40));
        assertThat(filled.requireDialpadWebhookSecret().value()).isEqualTo("hook");
    }

    @Test
    void requireWhenStillToGenerateThenIllegalState() {
        Secrets secrets = new Secrets(new SecretSetting.GenerateInSandbox(), new SecretSetting.GenerateInSandbox(),
                new SecretSetting.GenerateInSandbox(), new SecretSetting.GenerateInSandbox());

        assertThatThrownBy(secrets::requireSessionSecret).isInstanceOf(IllegalStateException.class)
                .hasMessage("SESSION_SECRET has not been generated yet");
    }

    @Test
    void constructorWhenSecretIsShortOrKeyIsBadThenRefusedWithoutTheValue() {
        assertThatThrownBy(() -> new Secrets(SecretSetting.provided("short-value"), new SecretSetting.GenerateInSandbox(),
                new SecretSetting.GenerateInSandbox(), new SecretSetting.GenerateInSandbox()))
                .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("short-value");
        assertThatThrownBy(() -> new Secrets(new SecretSetting.GenerateInSandbox(), new SecretSetting.GenerateInSandbox(),
                SecretSetting.provided("bad-key-value"), new SecretSetting.GenerateInSandbox()))
                .isInstanceOf(IllegalArgumentException.class).message().doesNotContain("bad-key-value");
    }

    @Test
    void secretWhenPrintedOrComparedThenRedactedAndEqualByValue() {
        Secret secret = new Secret("hunter2");

        assertThat(secret.toString()).doesNotContain("hunter2");
        assertThat(secret).isEqualTo(new Secret("hunter2")).isNotEqualTo(new Secret("hunter3"));
        assertThat(secret.matches("hunter2")).isTrue();
        assertThat(secret.matches(null)).isFalse();
    }
}
