package dev.switchboard.core.oauth;

import java.net.URI;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A fake {@link DialpadAuthorizationServer} for refreshes, strict like Dialpad: every refresh token is single use and
 * rotates; presenting a used one answers {@code invalid_grant} and is counted as reuse. Each grant (the chain of
 * tokens of one connection) counts its refreshes and how many of its refreshes ever ran at the same time. Calls can
 * be held at a gate, and answers can be scripted.
 */
final class FakeAuthorizationServer implements DialpadAuthorizationServer {
    private static final long HANG_GUARD_SECONDS = 60;

    private final long expiresIn;
    private final Map<String, Integer> liveTokens = new HashMap<>();
    private final Set<String> usedTokens = new HashSet<>();
    private final Map<Integer, Integer> refreshesPerGrant = new HashMap<>();
    private final Map<Integer, Integer> runningPerGrant = new HashMap<>();
    private int grants;
    private int issued;
    private int calls;
    private int completed;
    private int reuse;
    private int overlaps;
    private int running;
    private int peakRunning;
    private Function<String, TokenGrant> script;
    private CountDownLatch gate;

    FakeAuthorizationServer(long expiresIn) {
        this.expiresIn = expiresIn;
    }

    /** Starts a new grant and returns its first refresh token. */
    synchronized String issueGrant() {
        int grant = ++grants;
        String token = "refresh-" + grant + "-" + (++issued);
        liveTokens.put(token, grant);
        refreshesPerGrant.put(grant, 0);
        return token;
    }

    /** The grant a refresh token (live or used) belongs to, from its name. */
    static int grantOf(String refreshToken) {
        return Integer.parseInt(refreshToken.split("-")[1]);
    }

    /** True when {@code refreshToken} is the current, unused token of its grant. */
    synchronized boolean isLive(String refreshToken) {
        return liveTokens.containsKey(refreshToken);
    }

    /** Answers every refresh with {@code answer(refreshToken)} instead of rotating tokens. */
    synchronized void script(Function<String, TokenGrant> answer) {
        script = answer;
    }

    /** Holds every refresh call until {@link #openGate()}. */
    synchronized void closeGate() {
        gate = new CountDownLatch(1);
    }

    void openGate() {
        CountDownLatch current;
        synchronized (this) {
            current = gate;
            gate = null;
        }
        if (current != null) {
            current.countDown();
        }
    }

    /** Waits until {@code count} calls are running at once (a guard stops a broken test from hanging). */
    synchronized void awaitRunning(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
        while (running < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("only " + running + " refreshes ran at once, expected " + count);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    /** Waits until {@code count} calls have completed in total. */
    synchronized void awaitCompleted(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
        while (completed < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("only " + completed + " refreshes completed, expected " + count);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }

    @Override
    public TokenGrant refresh(String refreshToken) {
        int grant = grantOf(refreshToken);
        CountDownLatch held;
        synchronized (this) {
            calls++;
            running++;
            peakRunning = Math.max(peakRunning, running);
            int together = runningPerGrant.merge(grant, 1, Integer::sum);
            if (together > 1) {
                overlaps++;
            }
            held = gate;
            notifyAll();
        }
        try {
            if (held != null) {
                held.await(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            try {
                if (script != null) {
                    return script.apply(refreshToken);
                }
                Integer live = liveTokens.remove(refreshToken);
                if (live == null) {
                    if (usedTokens.contains(refreshToken)) {
                        reuse++;
                    }
                    return new TokenGrant.Refused("invalid_grant", "The refresh token is not valid.");
                }
                usedTokens.add(refreshToken);
                refreshesPerGrant.merge(grant, 1, Integer::sum);
                String next = "refresh-" + grant + "-" + (++issued);
                liveTokens.put(next, grant);
                return new TokenGrant.Tokens(new TokenResponse("access-" + grant + "-" + issued, next, "Bearer",
                        expiresIn));
            } finally {
                running--;
                runningPerGrant.merge(grant, -1, Integer::sum);
                completed++;
                notifyAll();
            }
        }
    }

    synchronized int calls() {
        return calls;
    }

    synchronized int reuse() {
        return reuse;
    }

    synchronized int overlaps() {
        return overlaps;
    }

    synchronized int peakRunning() {
        return peakRunning;
    }

    synchronized Map<Integer, Integer> refreshesPerGrant() {
        return Map.copyOf(refreshesPerGrant);
    }

    @Override
    public URI authorizeUrl(String state, String codeChallenge, List<String> scopes) {
        throw new UnsupportedOperationException("not used by the refresher");
    }

    @Override
    public TokenGrant exchange(String code, String verifier) {
        throw new UnsupportedOperationException("not used by the refresher");
    }

    @Override
    public Revocation deauthorize(String accessToken) {
        throw new UnsupportedOperationException("not used by the refresher");
    }

    @Override
    public CompanyLookup companyId(String accessToken) {
        throw new UnsupportedOperationException("not used by the refresher");
    }
}
