package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.registry.source.ModelBytes;
import io.starling.registry.source.ModelFileServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PullCommandTest {

    static final byte[] MODEL = ModelBytes.random(200_000, 7);
    static final String MODEL_SHA = ModelBytes.sha256(MODEL).hex();

    @TempDir
    Path cache;

    @Test
    void printsOnlyTheCachedPathOnStdout() throws IOException {
        try (ModelFileServer server = new ModelFileServer(MODEL)) {
            CliRun run = CliRun.of("pull", server.uri().toString(), "--sha256", MODEL_SHA.toUpperCase(), "--cache-dir", cache.toString());

            Path expected = cache.toAbsolutePath().resolve(MODEL_SHA + ".gguf");
            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).isEqualTo(expected + System.lineSeparator());
            assertThat(Files.readAllBytes(expected)).isEqualTo(MODEL);
            assertThat(run.err()).contains("downloading " + server.uri(), "100%", "verified and cached");

            CliRun again = CliRun.of("pull", server.uri().toString(), "--sha256", MODEL_SHA, "--cache-dir", cache.toString());
            assertThat(again.out()).isEqualTo(run.out());
            assertThat(server.requests()).isEqualTo(1);
        }
    }

    @Test
    void aWrongChecksumExitsNonZeroWithOneLineAndLeavesTheCacheEmpty() throws IOException {
        String wrong = ModelBytes.sha256(new byte[] {0}).hex();
        try (ModelFileServer server = new ModelFileServer(MODEL)) {
            CliRun run = CliRun.of("pull", server.uri().toString(), "--sha256", wrong, "--cache-dir", cache.toString());

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            List<String> errors = run.err().lines().filter(l -> l.startsWith("starling:")).toList();
            assertThat(errors).containsExactly("starling: sha256 mismatch for " + server.uri() + ": expected " + wrong
                    + ", got " + MODEL_SHA);
            assertThat(run.err().strip()).endsWith(errors.getFirst());
            assertThat(filesIn(cache)).as("no model, no .part, no sidecar").isEmpty();
        }
    }

    @Test
    void serverErrorsAreOneLine() throws IOException {
        try (ModelFileServer server = new ModelFileServer(MODEL).failingWith(404)) {
            CliRun run = CliRun.of("pull", server.uri().toString(), "--sha256", MODEL_SHA, "--cache-dir", cache.toString());
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err().strip()).isEqualTo("starling: HTTP 404 from " + server.uri());
        }
    }

    @Test
    void aLocalFileIsVerifiedInPlace(@TempDir Path models) throws IOException {
        Path file = Files.write(models.resolve("tiny.gguf"), MODEL);
        CliRun run = CliRun.of("pull", file.toUri().toString(), "--sha256", MODEL_SHA, "--cache-dir", cache.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip()).isEqualTo(file.toString());

        CliRun wrong = CliRun.of("pull", file.toString(), "--sha256", ModelBytes.sha256(new byte[] {0}).hex(), "--cache-dir", cache.toString());
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.err()).contains("starling: sha256 mismatch for " + file);
    }

    @Test
    void badArgumentsAreUsageErrors() {
        CliRun noSha = CliRun.of("pull", "https://example.org/m.gguf", "--cache-dir", cache.toString());
        assertThat(noSha.exitCode()).isEqualTo(2);
        assertThat(noSha.err()).contains("--sha256");

        CliRun badSha = CliRun.of("pull", "https://example.org/m.gguf", "--sha256", "xyz", "--cache-dir", cache.toString());
        assertThat(badSha.exitCode()).isEqualTo(2);
        assertThat(badSha.err().strip()).startsWith("starling: a sha256 is 64 hex digits, not 'xyz'").doesNotContain("\n");

        CliRun badScheme = CliRun.of("pull", "s3://bucket/m.gguf", "--sha256", MODEL_SHA, "--cache-dir", cache.toString());
        assertThat(badScheme.exitCode()).isEqualTo(2);
        assertThat(badScheme.err()).contains("unsupported model source scheme 's3'");
    }

    static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
