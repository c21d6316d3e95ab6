package dev.switchboard.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.apikey.ApiKeys;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InMemoryApiKeyStoreTest {
    private static final Instant AT = Instant.parse("2025-01-01T00:00:00Z");
    private final ApiKeys keys = ApiKeys.create(new SecureRandom());

    @Test
    void accessGenerationWhenKeysRotatedRevokedOrAppDeactivatedThenMovesAndOtherwiseStays() {
        InMemoryApiKeyStore store = new InMemoryApiKeyStore();
        UUID app = store.addApp(true);
        long start = store.accessGeneration();

        store.createOrRotate(app, keys.issue().stored(), "test", AT);
        assertThat(store.accessGeneration()).isEqualTo(start);
        store.createOrRotate(app, keys.issue().stored(), "test", AT);
        long rotated = store.accessGeneration();
        store.revoke(app, "test", AT);
        long revoked = store.accessGeneration();
        store.setAppActive(app, false);

        assertThat(rotated).isGreaterThan(start);
        assertThat(revoked).isGreaterThan(rotated);
        assertThat(store.accessGeneration()).isGreaterThan(revoked);
    }

    @Test
    void findByLookupPrefixWhenAppsComeFromADirectoryThenItsActiveFlagIsUsed() {
        InMemoryAppStore apps = new InMemoryAppStore();
        InMemoryApiKeyStore store = new InMemoryApiKeyStore(apps);
        UUID app = apps.create("CRM").id();
        var issued = keys.issue();

        assertThat(store.createOrRotate(UUID.randomUUID(), issued.stored(), "test", AT)).isEmpty();
        store.createOrRotate(app, issued.stored(), "test", AT);
        apps.update(app, null, false);

        assertThat(store.findByLookupPrefix(issued.lookupPrefix()).orElseThrow().appActive()).isFalse();
        assertThat(store.lookups()).isEqualTo(1);
    }
}
