package io.starling.tokenizer;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.gguf.GgufFile;
import io.starling.gguf.GgufMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds ../shared/models (system property {@code starling.test.models} or env {@code STARLING_TEST_MODELS})
 * and opens its GGUF files with the project's reader. Tests skip with a clear message without them.
 */
final class TestModels {
    private TestModels() {
    }

    static Path dir() {
        String configured = System.getProperty("starling.test.models", System.getenv("STARLING_TEST_MODELS"));
        assumeTrue(configured != null, "shared models not configured: set -Dstarling.test.models or STARLING_TEST_MODELS");
        Path dir = Path.of(configured);
        assumeTrue(Files.isDirectory(dir), "shared models directory " + dir.toAbsolutePath() + " is absent");
        return dir;
    }

    static Path file(String relative) {
        Path path = dir().resolve(relative);
        assumeTrue(Files.isRegularFile(path), "shared model file " + path + " is absent");
        return path;
    }

    static Tokenizer tokenizer(String relative) {
        return Tokenizers.fromMetadata(metadata(relative));
    }

    static GgufMetadata metadata(String relative) {
        try (GgufFile file = GgufFile.open(file(relative))) {
            return file.metadata();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
