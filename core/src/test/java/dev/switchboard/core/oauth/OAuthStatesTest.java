package dev.switchboard.core.oauth;

import dev.switchboard.core.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.core.testing.InMemoryOAuthStateStore;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OAuthStatesTest {
    private static final URI REDIRECT = URI.create("https://crm.example/after-dialpad");

    private final MutableClock clock = MutableClock.at(Instant.parse("2025-01-01T10:00:00Z"));
    private final SecureRandom random = new SecureRandom();
    private final BrowserBinding binding = BrowserBinding.of("an-embedder-secret-of-at-least-32-bytes", random);
    private final InMemoryOAuthStateStore<URI> store = new InMemoryOAuthStateStore<>();
    private final OAuthStates<URI> states = OAuthStates.create(store, binding, Pkce.using(random)::newVerifier, clock,
            random);

    @Test
    void finishWhenSameBrowserThenVerifierMatchesTheChallengeAndContextComesBack() {
        OAuthStates.Begun begun = states.begin(REDIRECT);

        StateCheck<URI> check = states.finish(begun.state(), begun.cookieValue());

        assertThat(check).isInstanceOf(StateCheck.Resumed.class);
        StateCheck.Resumed<URI> resumed = (StateCheck.Resumed<URI>) check;
        assertThat(resumed.context()).isEqualTo(REDIRECT);
        assertThat(resumed.verifier().challenge()).isEqualTo(begun.codeChallenge());
        assertThat(begun.codeChallengeMethod()).isEqualTo("S256");
        assertThat(begun.state()).matches("[A-Za-z0-9_-]{43}");
        assertThat(begun.expiresAt()).isEqualTo(clock.instant().plus(OAuthStates.DEFAULT_LIFETIME));
    }

    @Test
    void finishWhenStatePresentedTwiceThenSecondIsUnknownOrUsed() {
        OAuthStates.Begun begun = states.begin(REDIRECT);
        states.finish(begun.state(), begun.cookieValue());

        assertThat(states.finish(begun.state(), begun.cookieValue())).isEqualTo(new StateCheck.UnknownOrUsed<URI>());
    }

    @Test
    void finishWhenStateMissingOrNeverIssuedThenRefused() {
        assertThat(states.finish(null, "cookie")).isEqualTo(new StateCheck.MissingState<URI>());
        assertThat(states.finish(" ", "cookie")).isEqualTo(new StateCheck.MissingState<URI>());
        assertThat(states.finish("never-issued", "cookie")).isEqualTo(new StateCheck.UnknownOrUsed<URI>());
        assertThat(states.finish("x".repeat(513), "cookie")).isEqualTo(new StateCheck.UnknownOrUsed<URI>());
    }

    @Test
    void finishWhenLifetimeHasPassedThenExpiredAndUsedUp() {
        OAuthStates.Begun begun = states.begin(REDIRECT);
        clock.advance(OAuthStates.DEFAULT_LIFETIME);

        assertThat(states.finish(begun.state(), begun.cookieValue())).isEqualTo(new StateCheck.Expired<>(REDIRECT));
        assertThat(store.size()).isZero();
    }

    @Test
    void finishWhenOwnLifetimeGivenThenStateExpiresThen() {
        OAuthStates<URI> quick = OAuthStates.create(store, binding, Pkce.using(random)::newVerifier, clock, random,
                Duration.ofMinutes(2));
        OAuthStates.Begun begun = quick.begin(REDIRECT);
        clock.advance(Duration.ofMinutes(2));

        assertThat(quick.finish(begun.state(), begun.cookieValue())).isEqualTo(new StateCheck.Expired<>(REDIRECT));
    }

    @Test
    void finishWhenCookieMissingForgedOrOfAnotherFlowThenBrowserMismatchAndTheStateIsBurnt() {
        OAuthStates.Begun first = states.begin(REDIRECT);
        OAuthStates.Begun second = states.begin(REDIRECT);
        OAuthStates.Begun third = states.begin(REDIRECT);

        assertThat(states.finish(first.state(), null))
                .isEqualTo(new StateCheck.BrowserMismatch<>(REDIRECT, StateCheck.Reason.NO_COOKIE));
        assertThat(states.finish(second.state(), "forged.cookie"))
                .isEqualTo(new StateCheck.BrowserMismatch<>(REDIRECT, StateCheck.Reason.FORGED_COOKIE));
        assertThat(states.finish(third.state(), first.cookieValue()))
                .isEqualTo(new StateCheck.BrowserMismatch<>(REDIRECT, StateCheck.Reason.OTHER_FLOW));
        assertThat(states.finish(first.state(), first.cookieValue())).isEqualTo(new StateCheck.UnknownOrUsed<URI>());
        assertThat(store.size()).isZero();
    }

    @Test
    void beginWhenShownThenNeitherStateNorCookieNorVerifierAppears() {
        OAuthStates.Begun begun = states.begin(REDIRECT);
        StateCheck.Resumed<URI> resumed = (StateCheck.Resumed<URI>) states.finish(begun.state(), begun.cookieValue());

        assertThat(begun.toString()).doesNotContain(begun.state()).doesNotContain(begun.cookieValue());
        assertThat(resumed.toString()).doesNotContain(resumed.verifier().value());
    }

    @Test
    void createWhenLifetimeNotPositiveThenRefused() {
        assertThatThrownBy(() -> OAuthStates.create(store, binding, Pkce.using(random)::newVerifier, clock, random,
                Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
