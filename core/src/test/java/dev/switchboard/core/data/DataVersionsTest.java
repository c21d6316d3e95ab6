package dev.switchboard.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DataVersionsTest {
    private final UUID appA = UUID.randomUUID();
    private final UUID appB = UUID.randomUUID();

    @Test
    void nothingIsCurrentBeforeTrackingStarts() {
        DataVersions versions = DataVersions.create();
        versions.changed(appA);

        assertThat(versions.current(appA)).isEmpty();
    }

    @Test
    void aVersionStaysTheSameUntilTheAppChanges() {
        DataVersions versions = DataVersions.create();
        versions.tracking();
        OptionalLong before = versions.current(appA);

        assertThat(before).isPresent();
        assertThat(versions.current(appA)).isEqualTo(before);

        versions.changed(appA);
        assertThat(versions.current(appA)).isPresent().isNotEqualTo(before);
    }

    @Test
    void aChangeOfOneAppLeavesTheOthersCurrent() {
        DataVersions versions = DataVersions.create();
        versions.tracking();
        OptionalLong b = versions.current(appB);

        versions.changed(appA);

        assertThat(versions.current(appB)).isEqualTo(b);
    }

    @Test
    void losingTheListenerStopsReuseAndATrackingRestartMakesEveryEarlierVersionStale() {
        DataVersions versions = DataVersions.create();
        versions.tracking();
        versions.changed(appA);
        OptionalLong a = versions.current(appA);
        OptionalLong b = versions.current(appB);

        versions.lost();
        assertThat(versions.current(appA)).isEmpty();
        assertThat(versions.current(appB)).isEmpty();

        versions.tracking();
        assertThat(versions.current(appA)).isPresent().isNotEqualTo(a);
        assertThat(versions.current(appB)).isPresent().isNotEqualTo(b);
    }
}
