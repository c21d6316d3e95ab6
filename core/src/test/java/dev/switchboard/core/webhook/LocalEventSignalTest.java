package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LocalEventSignalTest {

    @Test
    void eachWakeReleasesOneWaiterAndTheOthersKeepWaiting() throws Exception {
        LocalEventSignal signal = LocalEventSignal.create();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        Semaphore done = new Semaphore(0);
        Callable<Boolean> awaitOnce = () -> {
            try {
                return signal.awaitNext(Duration.ofMinutes(1));
            } finally {
                done.release();
            }
        };
        try {
            List<Future<Boolean>> waiters = List.of(threads.submit(awaitOnce), threads.submit(awaitOnce),
                    threads.submit(awaitOnce));
            awaitWaiting(3);

            for (int released = 1; released <= 3; released++) {
                signal.wake();
                assertThat(done.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
                awaitWaiting(3 - released);
                // each waiter releases one permit as it returns: none is left over, so no other waiter returned
                assertThat(done.availablePermits()).isZero();
            }
            for (Future<Boolean> waiter : waiters) {
                assertThat(waiter.get()).isTrue();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void wakesBeforeAnyWaitMergeIntoOneThatTheNextWaitTakes() throws Exception {
        LocalEventSignal signal = LocalEventSignal.create();
        signal.wake();
        signal.wake();

        assertThat(signal.awaitNext(Duration.ofDays(1))).isTrue();
        assertThat(signal.awaitNext(Duration.ofMillis(1))).isFalse();
    }

    /** Waits until exactly {@code count} threads of this test wait in {@code awaitNext}. */
    private static void awaitWaiting(int count) throws InterruptedException {
        for (int i = 0; i < 3_000; i++) {
            long waiting = Thread.getAllStackTraces().entrySet().stream()
                    .filter(e -> e.getKey().getState() == Thread.State.TIMED_WAITING)
                    .filter(e -> Arrays.stream(e.getValue()).anyMatch(frame ->
                            frame.getClassName().equals(LocalEventSignal.class.getName())
                                    && frame.getMethodName().equals("awaitNext")))
                    .count();
            if (waiting == count) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("never saw " + count + " threads waiting for the signal");
    }
}
