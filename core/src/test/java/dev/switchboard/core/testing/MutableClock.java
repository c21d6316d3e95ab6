package dev.switchboard.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * A UTC clock a test moves by hand.
 *
 * <p>Thread-safety: readings may come from any thread (a server under test reads it from its request
 * threads); {@link #advance} is atomic, so a reader sees either the old or the new instant.
 */
public final class MutableClock extends Clock {
    private volatile Instant now;

    private MutableClock(Instant now) {
        this.now = now;
    }

    /** Returns a clock standing still at {@code now} until {@link #advance} moves it. */
    public static MutableClock at(Instant now) {
        return new MutableClock(Objects.requireNonNull(now, "now"));
    }

    /** Moves the clock forward (or back, for a negative duration) by {@code duration}. */
    public synchronized void advance(Duration duration) {
        now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return now;
    }
}
