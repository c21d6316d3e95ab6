package dev.switchboard.dialpad;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Everything {@link NimbusDialpadClient} needs to talk to one Dialpad environment. {@link #toString()} redacts the
 * client secret.
 *
 * @param endpoints      the Dialpad host's URLs
 * @param clientId       the OAuth client id registered at Dialpad
 * @param clientSecret   the OAuth client secret; never logged
 * @param redirectUri    the callback registered at Dialpad: absolute http(s), may carry a query, no fragment
 * @param clientAuth     how the client authenticates to the token endpoint
 * @param connectTimeout how long to wait for a TCP (and TLS) connection
 * @param readTimeout    how long to wait for Dialpad's answer once connected
 */
public record DialpadClientSettings(DialpadEndpoints endpoints, String clientId, String clientSecret, URI redirectUri,
                                    DialpadClientAuth clientAuth, Duration connectTimeout, Duration readTimeout) {
    /** Default connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default read timeout. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

    public DialpadClientSettings {
        Objects.requireNonNull(endpoints, "endpoints");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        Objects.requireNonNull(redirectUri, "redirectUri");
        Objects.requireNonNull(clientAuth, "clientAuth");
        if (clientId.isBlank() || clientSecret.isBlank()) {
            throw new IllegalArgumentException("a Dialpad client id and secret must not be blank");
        }
        String scheme = redirectUri.getScheme() == null ? "" : redirectUri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || redirectUri.getHost() == null
                || redirectUri.getRawFragment() != null) {
            throw new IllegalArgumentException("the redirect URI must be an absolute http(s) URL without a fragment");
        }
        DialpadTransport.checkTimeouts(connectTimeout, readTimeout);
    }

    /** Settings with form-body client authentication and the default timeouts (5 s connect, 10 s read). */
    public static DialpadClientSettings of(DialpadEndpoints endpoints, String clientId, String clientSecret,
                                           URI redirectUri) {
        return new DialpadClientSettings(endpoints, clientId, clientSecret, redirectUri,
                DialpadClientAuth.CLIENT_SECRET_POST, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT);
    }

    /** These settings with another client authentication method. */
    public DialpadClientSettings withClientAuth(DialpadClientAuth method) {
        return new DialpadClientSettings(endpoints, clientId, clientSecret, redirectUri, method, connectTimeout,
                readTimeout);
    }

    /** These settings with other timeouts. */
    public DialpadClientSettings withTimeouts(Duration connect, Duration read) {
        return new DialpadClientSettings(endpoints, clientId, clientSecret, redirectUri, clientAuth, connect, read);
    }

    @Override
    public String toString() {
        return "DialpadClientSettings[endpoints=" + endpoints + ", clientId=" + clientId
                + ", clientSecret=(redacted), redirectUri=" + redirectUri + ", clientAuth=" + clientAuth
                + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + "]";
    }
}
