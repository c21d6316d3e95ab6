package dev.switchboard.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class LocalEventSignalTest {

    @Test
    void eachWakeReleasesOneWaiterAndTheOthersKeepWaiting() throws Exception {
        LocalEventSignal signal = LocalEventSignal.create();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<Boolean>> waiters = List.of(
                    threads.submit(() -> signal.awaitNext(Duration.ofMinutes(1))),
                    threads.submit(() -> signal.awaitNext(Duration.ofMinutes(1))),
                    threads.submit(() -> signal.awaitNext(Duration.ofMinutes(1))));
            awaitWaiting(3);

            for (int released = 1; released <= 3; released++) {
                signal.wake();
                awaitDone(waiters, released);
                awaitWaiting(3 - released);
                assertThat(waiters.stream().filter(Future::isDone).count()).isEqualTo(released);
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

    private static void awaitDone(List<Future<Boolean>> waiters, int count) throws InterruptedException {
        for (int i = 0; i < 3_000 && waiters.stream().filter(Future::isDone).count() < count; i++) {
            Thread.sleep(10);
        }
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
