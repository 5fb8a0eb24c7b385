package io.starling.registry.source;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a response body on which no byte arrived for a while. java.net.http has no read timeout, so a connection
 * that goes silent mid-body (a dead peer, a dropped NAT entry) would block the download for ever; closing the body
 * makes the blocked read fail, and the download ends as incomplete, resumable.
 */
final class StallGuard implements AutoCloseable {

    private final Closeable body;
    private final long timeoutNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastDataNanos = System.nanoTime();
    private volatile boolean stalled;

    StallGuard(Closeable body, Duration timeout) {
        this.body = body;
        this.timeoutNanos = timeout.toNanos();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(10), timeoutNanos / 4);
        this.check = Timer.INSTANCE.scheduleAtFixedRate(this::closeIfStalled, period, period, TimeUnit.NANOSECONDS);
    }

    /** Data arrived. */
    void alive() {
        lastDataNanos = System.nanoTime();
    }

    /** Whether the body was closed because it stalled (then a failed read is no network error of its own). */
    boolean stalled() {
        return stalled;
    }

    private void closeIfStalled() {
        if (!stalled && System.nanoTime() - lastDataNanos > timeoutNanos) {
            stalled = true;
            try {
                body.close();
            } catch (IOException ignored) {
                // Closing is all that is wanted; the reader sees the failure.
            }
        }
    }

    @Override
    public void close() {
        check.cancel(false);
    }

    /** One daemon thread for all downloads' checks, made on first use. */
    private static final class Timer {
        static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "starling-download-stall-guard");
            thread.setDaemon(true);
            return thread;
        });
    }
}
