package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.gguf.GgmlType;
import io.starling.model.SyntheticModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The table's shape only: speed is measured in perf/, never asserted in a unit test. */
class BenchCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsLlamaBenchTableWithPpAndTgRows() throws IOException {
        Path model = SyntheticModel.builder().type(GgmlType.Q4_0).write(dir.resolve("tiny-Q4_0.gguf"));
        CliRun run = CliRun.of("bench", "-m", model.toString(), "-p", "8", "-n", "4", "-t", "2", "-r", "2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).matches("\\| model +\\| +size \\| +params \\| backend +\\| threads \\| +test \\| +t/s \\|");
        assertThat(lines.get(1)).matches("\\| -{30} \\| -{9}: \\| -{9}: \\| -{10} \\| -{6}: \\| -{14}: \\| -{19}: \\|");
        String row = "\\| llama \\d+[MB] Q4_0 +\\| +[\\d.]+ (MiB|GiB) \\| +[\\d.]+ [MB] \\| CPU +\\| +2 \\| +%s \\| +[\\d.]+ ± [\\d.]+ \\|";
        assertThat(lines.get(2)).matches(row.formatted("pp8"));
        assertThat(lines.get(3)).matches(row.formatted("tg4"));
        assertThat(lines.get(2)).hasSameSizeAs(lines.get(0));
    }

    @Test
    void batchAddsAnAggregateDecodeRow() throws IOException {
        Path model = SyntheticModel.builder().type(GgmlType.Q8_0).write(dir.resolve("tiny-Q8_0.gguf"));
        CliRun run = CliRun.of("bench", "-m", model.toString(), "-p", "0", "-n", "3", "-t", "1", "-r", "1", "--batch", "3");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(2)).contains(" tg3 |").contains("Q8_0");
        assertThat(lines.get(3)).contains(" tg3 x3 |").endsWith("± 0.00 |");
    }
}
