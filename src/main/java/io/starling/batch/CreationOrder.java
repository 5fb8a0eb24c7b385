package io.starling.batch;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Creation times in milliseconds, made strictly increasing: OpenAI lists files and batches newest first, and two
 * made within one second (their {@code created_at}) must still list in the order they were made, also after a
 * restart (the values are kept on disk).
 */
final class CreationOrder {

    private final AtomicLong last = new AtomicLong();

    /** One more that was made earlier (read back from disk). */
    void seen(long order) {
        last.accumulateAndGet(order, Math::max);
    }

    long next() {
        return last.updateAndGet(previous -> Math.max(previous + 1, System.currentTimeMillis()));
    }
}
