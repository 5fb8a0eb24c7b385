package io.starling.gguf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the shared real-model directory: system property {@code starling-test-models} (set by the pom) or env
 * {@code STARLING_TEST_MODELS}. Tests that need it skip when it is absent instead of failing.
 */
final class TestModels {

    private TestModels() {
    }

    /** The models directory, or a skipped test when it is not there. */
    static Path dir() {
        String configured = System.getProperty("starling-test-models", System.getenv("STARLING_TEST_MODELS"));
        assumeTrue(configured != null && !configured.isBlank(),
                "real-model tests skipped: set -Dstarling-test-models or STARLING_TEST_MODELS to the shared models dir");
        Path dir = Path.of(configured);
        assumeTrue(Files.isDirectory(dir), "real-model tests skipped: no models directory at " + dir.toAbsolutePath());
        return dir;
    }

    static Path file(String relative) {
        Path file = dir().resolve(relative);
        assumeTrue(Files.isRegularFile(file), "skipped: " + file + " is not there");
        return file;
    }

    /** Every *.gguf in the directory and in vocab/, sorted by path. */
    static List<Path> allGguf() {
        Path dir = dir();
        try (Stream<Path> top = Files.list(dir);
             Stream<Path> vocab = Files.isDirectory(dir.resolve("vocab")) ? Files.list(dir.resolve("vocab")) : Stream.empty()) {
            return Stream.concat(top, vocab).filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
