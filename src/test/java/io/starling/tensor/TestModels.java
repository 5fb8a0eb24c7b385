package io.starling.tensor;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Finds ../shared/models (system property starling.test.models, set by the pom, or env STARLING_TEST_MODELS). */
final class TestModels {
    private TestModels() {
    }

    /** The models directory; skips the calling test when it is not there. */
    static Path directory() {
        String configured = System.getProperty("starling.test.models", System.getenv("STARLING_TEST_MODELS"));
        assumeTrue(configured != null && !configured.isBlank(),
                "no models directory configured: set -Dstarling.test.models or STARLING_TEST_MODELS");
        Path dir = Path.of(configured);
        assumeTrue(Files.isDirectory(dir), "models directory " + dir + " is absent; skipping model conformance tests");
        return dir;
    }

    /** A file in the models directory; skips the calling test when it is missing. */
    static Path file(String name) {
        Path file = directory().resolve(name);
        assumeTrue(Files.isRegularFile(file), "model file " + file + " is absent");
        return file;
    }
}
