package io.starling.engine;

import io.quarkus.logging.Log;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps every admitted piece of work until it ends, so tests can prove nothing leaks or ends twice and a 429 can
 * say when to come back: work in flight, cancellations, and a moving average of how long work holds the engine.
 */
final class WorkLedger {

    private final Map<QueuedWork, Long> admittedAt = new ConcurrentHashMap<>();
    private final AtomicLong cancelled = new AtomicLong();
    private final AtomicLong endedTwice = new AtomicLong();
    private volatile double averageSeconds = 1;

    void admitted(QueuedWork work, long nowNanos) {
        admittedAt.put(work, nowNanos);
    }

    /** Admission was undone (the queue was full after all). */
    void refused(QueuedWork work) {
        admittedAt.remove(work);
    }

    /** Admitted work ended; a second end of the same work is a scheduler bug, counted and logged. */
    void ended(QueuedWork work, boolean wasCancelled, long nowNanos) {
        Long start = admittedAt.remove(work);
        if (start == null) {
            endedTwice.incrementAndGet();
            Log.errorf("engine: %s ended twice", work);
            return;
        }
        if (wasCancelled) {
            cancelled.incrementAndGet();
        }
        averageSeconds = 0.8 * averageSeconds + 0.2 * (nowNanos - start) / 1e9;
    }

    /** Work admitted and not ended yet, queued or running. */
    int inFlight() {
        return admittedAt.size();
    }

    long cancelled() {
        return cancelled.get();
    }

    long endedTwice() {
        return endedTwice.get();
    }

    double averageSeconds() {
        return averageSeconds;
    }
}
