package dev.switchboard.core.oauth;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * OAuth {@code state} and PKCE for the browser side of an authorization code flow (RFC 6749 section 4.1 with
 * RFC 7636), usable on its own: {@link #begin} makes a single-use state, a browser-binding cookie and an S256 code
 * challenge; {@link #finish} takes the state and cookie the callback brings back and returns the verifier to exchange
 * the code with, or why not. Building the authorize URL and exchanging the code are the caller's.
 *
 * <ul>
 *   <li>States carry 256 random bits, live {@code lifetime}, and are stored only as hashes in the
 *       {@link OAuthStateStore}, so every instance sharing the store shares them. A state is single use.</li>
 *   <li>A state is bound to the browser that started the flow through {@link BrowserBinding} (RFC 9700 section
 *       4.7.1).</li>
 *   <li>A state presented with a missing or wrong cookie is <em>used up</em> anyway: the flow is consumed before the
 *       cookie is compared. A mismatch means the callback URL travelled to another browser; burning the flow means
 *       neither that browser nor a replay of the URL can finish it, and the person simply starts again.</li>
 * </ul>
 *
 * <p>Usage: {@code OAuthStates.create(store, BrowserBinding.of(secret, random), Pkce.using(random)::newVerifier,
 * clock, random)}, then {@code begin(redirectUri)} and, at the callback, {@code finish(state, cookie)}.
 * Thread-safe when its store is. Store failures propagate as {@link dev.switchboard.core.StoreUnavailableException}.
 *
 * @param <C> the caller's context kept with each flow (a redirect URI, a user id...)
 */
public final class OAuthStates<C> {
    /** How long a state stays valid unless the caller says otherwise. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(15);

    /** Longest state looked up; anything longer cannot be one of ours and is not hashed. */
    private static final int MAX_STATE_LENGTH = 512;

    private final OAuthStateStore<C> store;
    private final BrowserBinding binding;
    private final Supplier<Pkce.Verifier> pkce;
    private final Clock clock;
    private final SecureRandom random;
    private final Duration lifetime;

    private OAuthStates(OAuthStateStore<C> store, BrowserBinding binding, Supplier<Pkce.Verifier> pkce, Clock clock,
                        SecureRandom random, Duration lifetime) {
        this.store = store;
        this.binding = binding;
        this.pkce = pkce;
        this.clock = clock;
        this.random = random;
        this.lifetime = lifetime;
    }

    /**
     * States living {@link #DEFAULT_LIFETIME}; {@code pkce} yields a fresh verifier per flow (e.g.
     * {@link Pkce#newVerifier}).
     */
    public static <C> OAuthStates<C> create(OAuthStateStore<C> store, BrowserBinding binding,
                                            Supplier<Pkce.Verifier> pkce, Clock clock, SecureRandom random) {
        return create(store, binding, pkce, clock, random, DEFAULT_LIFETIME);
    }

    /**
     * As {@link #create(OAuthStateStore, BrowserBinding, Supplier, Clock, SecureRandom)} with states living
     * {@code lifetime}.
     */
    public static <C> OAuthStates<C> create(OAuthStateStore<C> store, BrowserBinding binding,
                                            Supplier<Pkce.Verifier> pkce, Clock clock, SecureRandom random,
                                            Duration lifetime) {
        Objects.requireNonNull(lifetime, "lifetime");
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("a state must live for a positive duration");
        }
        return new OAuthStates<>(Objects.requireNonNull(store, "store"), Objects.requireNonNull(binding, "binding"),
                Objects.requireNonNull(pkce, "pkce"), Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(random, "random"), lifetime);
    }

    /**
     * Starts a flow carrying {@code context}: stores it under a fresh state and returns what the browser needs.
     * Redirect it to the authorize URL with {@link Begun#state()} and {@link Begun#codeChallenge()} (method
     * {@value Pkce#METHOD}) and set the cookie to {@link Begun#cookieValue()}.
     */
    public Begun begin(C context) {
        Objects.requireNonNull(context, "context");
        Instant now = clock.instant();
        String state = RandomSecrets.next(random);
        BrowserBinding.Issued cookie = binding.issue();
        Pkce.Verifier verifier = Objects.requireNonNull(pkce.get(), "the PKCE generator returned null");
        Instant expiresAt = now.plus(lifetime);
        store.save(new PendingState<>(SecretHash.of(state), cookie.nonceHash(), verifier, now, expiresAt, context));
        return new Begun(state, cookie.cookieValue(), verifier.challenge(), expiresAt);
    }

    /**
     * Resumes a flow from the {@code state} and browser-binding cookie a callback brings (either null when absent).
     * A state that names a pending flow is used up whatever the outcome.
     */
    public StateCheck<C> finish(String state, String cookieValue) {
        if (state == null || state.isBlank()) {
            return new StateCheck.MissingState<>();
        }
        if (state.length() > MAX_STATE_LENGTH) {
            return new StateCheck.UnknownOrUsed<>();
        }
        Instant now = clock.instant();
        OAuthStateStore.Consumption<C> consumption = store.consume(SecretHash.of(state), now);
        PendingState<C> pending;
        if (consumption instanceof OAuthStateStore.Consumption.Pending<C> found) {
            pending = found.state();
        } else if (consumption instanceof OAuthStateStore.Consumption.Expired<C> expired) {
            return new StateCheck.Expired<>(expired.context());
        } else if (consumption instanceof OAuthStateStore.Consumption.NotFound<C>) {
            return new StateCheck.UnknownOrUsed<>();
        } else {
            throw new IllegalStateException("unhandled consumption " + consumption.getClass().getSimpleName());
        }
        if (pending.isExpiredAt(now)) {
            // a store answers by its own reading of the row; this clock has the last word
            return new StateCheck.Expired<>(pending.context());
        }
        Optional<StateCheck.Reason> mismatch = mismatch(binding.verify(cookieValue), pending);
        if (mismatch.isPresent()) {
            return new StateCheck.BrowserMismatch<>(pending.context(), mismatch.get());
        }
        return new StateCheck.Resumed<>(pending.context(), pending.verifier());
    }

    private static Optional<StateCheck.Reason> mismatch(BrowserBinding.Check check, PendingState<?> pending) {
        if (check instanceof BrowserBinding.Check.Bound bound) {
            return bound.nonceHash().matches(pending.browserNonceHash())
                    ? Optional.empty()
                    : Optional.of(StateCheck.Reason.OTHER_FLOW);
        }
        if (check instanceof BrowserBinding.Check.Unbound unbound) {
            return Optional.of(unbound.reason() == BrowserBinding.Check.Reason.MISSING
                    ? StateCheck.Reason.NO_COOKIE
                    : StateCheck.Reason.FORGED_COOKIE);
        }
        throw new IllegalStateException("unhandled binding check " + check.getClass().getSimpleName());
    }

    /**
     * A started flow: what the browser is sent.
     *
     * @param state         the OAuth {@code state} (RFC 6749 section 4.1.1); a bearer of the flow, never logged
     * @param cookieValue   the browser-binding cookie; secret, never logged
     * @param codeChallenge the S256 {@code code_challenge} (RFC 7636 section 4.2)
     * @param expiresAt     when the state stops working (a cookie Max-Age can be derived from it)
     */
    public record Begun(String state, String cookieValue, String codeChallenge, Instant expiresAt) {
        public Begun {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(cookieValue, "cookieValue");
            Objects.requireNonNull(codeChallenge, "codeChallenge");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }

        /** Always {@value Pkce#METHOD}. */
        public String codeChallengeMethod() {
            return Pkce.METHOD;
        }

        @Override
        public String toString() {
            return "Begun[state=(redacted), cookieValue=(redacted), codeChallenge=" + codeChallenge + ", expiresAt="
                    + expiresAt + "]";
        }
    }
}
