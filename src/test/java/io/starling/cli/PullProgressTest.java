package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PullProgressTest {

    private static final URI URL = URI.create("https://example.org/m.gguf");
    private static final long MIB = 1 << 20;

    private final AtomicLong clock = new AtomicLong();
    private final StringWriter err = new StringWriter();

    @Test
    void plainOutputIsALineEveryTenthOfTheFile() {
        PullProgress progress = new PullProgress(new PrintWriter(err, true), false, clock::get);
        progress.started(URL, 0, 100 * MIB);
        for (long mib = 1; mib <= 100; mib++) {
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
            progress.progress(mib * MIB, 100 * MIB);
        }
        progress.finished(Path.of("/cache/x.gguf"), 100 * MIB);
        progress.end();

        assertThat(err.toString()).doesNotContain("\r");
        assertThat(err.toString().lines().toList())
                .hasSize(12)
                .startsWith("downloading https://example.org/m.gguf (100.0 MiB)")
                .contains(" 50%  50.0 MiB / 100.0 MiB  100.0 MiB/s  ETA 0:01")
                .endsWith("verified and cached 100.0 MiB in 1.0 s");
    }

    @Test
    void plainOutputOfAStalledDownloadStillShowsLifeEveryFewSeconds() {
        PullProgress progress = new PullProgress(new PrintWriter(err, true), false, clock::get);
        progress.started(URL, 0, -1);
        progress.progress(MIB, -1);
        clock.addAndGet(TimeUnit.SECONDS.toNanos(PullProgress.PLAIN_EVERY_SECONDS));
        progress.progress(2 * MIB, -1);
        assertThat(err.toString().lines().toList()).containsExactly("downloading https://example.org/m.gguf", "2.0 MiB  409.6 KiB/s");
    }

    @Test
    void aTerminalGetsOneRedrawnBarWithRateAndEta() {
        PullProgress progress = new PullProgress(new PrintWriter(err, true), true, clock::get);
        progress.started(URL, 25 * MIB, 100 * MIB);
        clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
        progress.progress(50 * MIB, 100 * MIB);
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
        progress.progress(51 * MIB, 100 * MIB);
        progress.end();

        assertThat(err.toString()).isEqualTo("downloading https://example.org/m.gguf (100.0 MiB), resuming at 25.0 MiB\n"
                .replace("\n", System.lineSeparator())
                + "\r[===============>              ]   50%  50.0 MiB / 100.0 MiB  25.0 MiB/s  ETA 0:02" + System.lineSeparator());
    }
}
