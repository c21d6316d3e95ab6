package dev.switchboard.dialpad;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.switchboard.core.oauth.TokenGrant;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Behaviour the fake Dialpad cannot produce: a connection dropped after the request was read. */
class DialpadTransportTest {
    @Test
    void refreshWhenTheConnectionDropsBeforeAnAnswerThenUnavailableAndTheRefreshTokenWasSentOnce() throws IOException {
        AtomicInteger received = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/oauth2/token", exchange -> {
            received.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            // Closing without a status line drops the connection: what a crashing proxy does.
            exchange.close();
        });
        server.start();
        try {
            NimbusDialpadClient client = NimbusDialpadClient.create(DialpadClientSettings.of(
                    DialpadEndpoints.of("http://127.0.0.1:" + server.getAddress().getPort()), "client", "secret",
                    URI.create("http://localhost:4000/cb")));

            TokenGrant grant = client.refresh("single-use-refresh-token");

            assertThat(grant).isInstanceOf(TokenGrant.Unavailable.class);
            // A silent re-send would present the single-use refresh token twice.
            assertThat(received).hasValue(1);
        } finally {
            server.stop(0);
        }
    }
}
