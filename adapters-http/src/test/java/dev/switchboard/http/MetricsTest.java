package dev.switchboard.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void alsoRecordingInWhenAComponentCountsThenTheHostAndTheExpositionSeeIt() {
        SimpleMeterRegistry host = new SimpleMeterRegistry();
        try (Metrics metrics = Metrics.alsoRecordingIn(host)) {
            metrics.registry().counter("switchboard_things", "kind", "a").increment(3);

            assertThat(host.get("switchboard_things").tag("kind", "a").counter().count()).isEqualTo(3.0);
            assertThat(metrics.scrape()).contains("switchboard_things_total{kind=\"a\"} 3.0");
        }
    }

    @Test
    void alsoRecordingInWhenRequestsAreRecordedThenTheJvmAndRequestMetersStayOutOfTheHost() {
        SimpleMeterRegistry host = new SimpleMeterRegistry();
        try (Metrics metrics = Metrics.alsoRecordingIn(host)) {
            metrics.recordRequest("GET", "/health", 200, 1_000_000);

            assertThat(metrics.scrape())
                    .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/health\",status=\"200\"} 1")
                    .contains("jvm_memory_used_bytes");
            assertThat(host.find(Metrics.REQUESTS).meters()).isEmpty();
            assertThat(host.find("jvm.memory.used").meters()).isEmpty();
        }
    }

    @Test
    void closeWhenRecordingInAHostThenItsMetersLeaveTheHost() {
        SimpleMeterRegistry host = new SimpleMeterRegistry();
        host.counter("host_own").increment();
        Metrics metrics = Metrics.alsoRecordingIn(host);
        metrics.registry().gauge("switchboard_open", 2);

        metrics.close();

        assertThat(host.find("switchboard_open").meters()).isEmpty();
        assertThat(host.find("host_own").counter()).isNotNull();
    }

    @Test
    void createWhenAComponentCountsThenTheExpositionShowsIt() {
        try (Metrics metrics = Metrics.create()) {
            metrics.registry().counter("switchboard_things").increment();

            assertThat(metrics.scrape()).contains("switchboard_things_total 1.0");
        }
    }
}
