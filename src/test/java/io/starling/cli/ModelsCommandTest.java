package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.registry.source.ModelFileServer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsCommandTest {

    @TempDir
    Path cache;

    @Test
    void anEmptyCacheSaysSo() {
        CliRun run = CliRun.of("models", "--cache-dir", cache.resolve("never-created").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip()).isEqualTo("no models in " + cache.resolve("never-created").toAbsolutePath());
    }

    @Test
    void listsPulledModelsWithSizeAndSource() throws IOException {
        try (ModelFileServer server = new ModelFileServer(PullCommandTest.MODEL)) {
            CliRun pull = CliRun.of("pull", server.uri().toString(), "--sha256", PullCommandTest.MODEL_SHA, "--cache-dir", cache.toString());
            assertThat(pull.exitCode()).as(pull.err()).isZero();

            CliRun run = CliRun.of("models", "--cache-dir", cache.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out().lines()).containsExactly(PullCommandTest.MODEL_SHA + "   195.3 KiB  "
                    + PullCommandTest.MODEL_SHA + ".gguf  " + server.uri());
        }
    }
}
