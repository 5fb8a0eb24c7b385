package io.starling.cli;

import io.starling.registry.source.DownloadListener;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Shows {@code starling pull}'s progress on stderr: on a terminal one line redrawn in place (bar, bytes, rate,
 * ETA); otherwise, for logs, a plain line every {@value #PLAIN_EVERY_SECONDS} seconds or 10% of the file.
 */
final class PullProgress implements DownloadListener {

    static final int PLAIN_EVERY_SECONDS = 5;
    private static final long REDRAW_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int BAR_WIDTH = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private final LongSupplier nanoClock;
    private long startNanos;
    private long startBytes;
    private long lastOutputNanos;
    private long lastTenth = -1;
    private int drawnWidth;

    PullProgress(PrintWriter err, boolean terminal, LongSupplier nanoClock) {
        this.err = err;
        this.terminal = terminal;
        this.nanoClock = nanoClock;
    }

    @Override
    public void waitingForLock(Path lockFile) {
        line("waiting for another process that is downloading this model (lock " + lockFile + ")");
    }

    @Override
    public void verifying(Path file, long size) {
        line("verifying " + file + " (" + ByteSize.format(size) + ")");
    }

    @Override
    public void started(URI uri, long offset, long total) {
        startNanos = nanoClock.getAsLong();
        startBytes = offset;
        lastOutputNanos = startNanos;
        lastTenth = total > 0 ? offset * 10 / total : -1;
        line("downloading " + uri + (total >= 0 ? " (" + ByteSize.format(total) + ")" : "")
                + (offset > 0 ? ", resuming at " + ByteSize.format(offset) : ""));
    }

    @Override
    public void progress(long bytes, long total) {
        long now = nanoClock.getAsLong();
        if (terminal) {
            if (now - lastOutputNanos >= REDRAW_NANOS || bytes == total) {
                draw(status(bytes, total, now, true));
                lastOutputNanos = now;
            }
            return;
        }
        long tenth = total > 0 ? bytes * 10 / total : -1;
        if (tenth > lastTenth || now - lastOutputNanos >= TimeUnit.SECONDS.toNanos(PLAIN_EVERY_SECONDS)) {
            err.println(status(bytes, total, now, false));
            lastTenth = tenth;
            lastOutputNanos = now;
        }
    }

    @Override
    public void finished(Path path, long size) {
        double seconds = (nanoClock.getAsLong() - startNanos) / 1e9;
        line(String.format(Locale.ROOT, "verified and cached %s in %.1f s", ByteSize.format(size), seconds));
    }

    /** Ends a line left open by the terminal bar, so what follows (an error, the shell prompt) starts on its own. */
    void end() {
        if (drawnWidth > 0) {
            err.println();
            drawnWidth = 0;
        }
        err.flush();
    }

    private void line(String text) {
        end();
        err.println(text);
    }

    private void draw(String status) {
        err.print("\r" + status + " ".repeat(Math.max(0, drawnWidth - status.length())));
        err.flush();
        drawnWidth = status.length();
    }

    /** {@code [=====>    ]  45%  1.2 GiB / 2.6 GiB  35.2 MiB/s  ETA 0:41} (the bar only on a terminal). */
    String status(long bytes, long total, long now, boolean bar) {
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? (bytes - startBytes) / seconds : 0;
        StringBuilder s = new StringBuilder();
        if (total > 0) {
            double fraction = Math.min(1, (double) bytes / total);
            if (bar) {
                int filled = (int) (fraction * BAR_WIDTH);
                s.append('[').append("=".repeat(filled)).append(filled < BAR_WIDTH ? ">" : "")
                        .append(" ".repeat(Math.max(0, BAR_WIDTH - filled - 1))).append("]  ");
            }
            s.append(String.format(Locale.ROOT, "%3d%%  %s / %s", (int) (fraction * 100), ByteSize.format(bytes), ByteSize.format(total)));
        } else {
            s.append(ByteSize.format(bytes));
        }
        s.append("  ").append(ByteSize.format((long) rate)).append("/s");
        if (total > 0 && rate > 0 && bytes < total) {
            s.append("  ETA ").append(duration((long) Math.ceil((total - bytes) / rate)));
        }
        return s.toString();
    }

    private static String duration(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
