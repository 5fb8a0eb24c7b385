package io.starling.batch;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what a batch job has done and shows it on stderr: on a terminal a bar redrawn in place (done/total,
 * tokens/s, ETA), otherwise (a pod's log) one plain line per interval, so log collectors get whole lines.
 */
final class Progress implements AutoCloseable {

    private final long total;
    private final long alreadyDone;
    private final PrintWriter err;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    /** Tokens as they are generated, also of requests still running: what the display's rate and ETA go by. */
    private final AtomicLong liveTokens = new AtomicLong();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("starling-batch-progress").daemon(true).factory());

    /**
     * @param total       the requests of this job (this shard)
     * @param alreadyDone how many of them an earlier, interrupted run finished
     */
    Progress(long total, long alreadyDone, PrintWriter err, boolean terminal) {
        this.total = total;
        this.alreadyDone = alreadyDone;
        this.err = err;
        this.terminal = terminal;
    }

    /** Starts showing progress every {@code intervalMillis}. */
    void start(long intervalMillis) {
        timer.scheduleAtFixedRate(this::show, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** One result line written by this run. */
    void record(boolean succeeded, long prompt, long generated) {
        done.incrementAndGet();
        if (!succeeded) {
            failed.incrementAndGet();
        }
        promptTokens.addAndGet(prompt);
        generatedTokens.addAndGet(generated);
    }

    /** One token generated, by a request that may still be running. */
    void token() {
        liveTokens.incrementAndGet();
    }

    long done() {
        return done.get();
    }

    long failed() {
        return failed.get();
    }

    long promptTokens() {
        return promptTokens.get();
    }

    long generatedTokens() {
        return generatedTokens.get();
    }

    double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Tokens generated per second so far, counting requests still running. */
    private double liveTokensPerSecond() {
        double seconds = seconds();
        return seconds > 0 ? liveTokens.get() / seconds : 0;
    }

    private void show() {
        try {
            String line = line();
            synchronized (err) {
                if (terminal) {
                    err.print("\r" + line + "\u001b[K");
                } else {
                    err.println("starling batch: " + line);
                }
                err.flush();
            }
        } catch (RuntimeException e) {
            // a failed redraw must not end the timer
            err.println("starling batch: progress: " + e);
        }
    }

    /** {@code [#####     ] 120/1000 12.0% | 3 failed | 351.2 tok/s | ETA 2m31s}, without the bar off a terminal. */
    String line() {
        long doneNow = alreadyDone + done.get();
        double fraction = total == 0 ? 1 : (double) doneNow / total;
        StringBuilder out = new StringBuilder();
        if (terminal) {
            int width = 30;
            int filled = (int) Math.round(fraction * width);
            out.append('[').append("#".repeat(filled)).append(" ".repeat(width - filled)).append("] ");
        }
        out.append(String.format(Locale.ROOT, "%d/%d %.1f%% | %d failed | %.1f tok/s | ETA %s", doneNow, total,
                fraction * 100, failed.get(), liveTokensPerSecond(), eta(total - doneNow)));
        return out.toString();
    }

    /** Time left at this run's pace so far; "?" before the first result. */
    private String eta(long remaining) {
        long finished = done.get();
        if (remaining <= 0) {
            return "0s";
        }
        if (finished == 0) {
            return "?";
        }
        return duration((long) (seconds() / finished * remaining));
    }

    static String duration(long seconds) {
        if (seconds >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return seconds >= 60 ? String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
    }

    /** Stops the display; on a terminal the bar is finished with a newline. */
    @Override
    public void close() {
        timer.shutdownNow();
        if (terminal) {
            synchronized (err) {
                err.println("\r" + line() + "\u001b[K");
                err.flush();
            }
        }
    }
}
