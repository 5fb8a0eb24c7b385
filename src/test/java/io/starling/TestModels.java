package io.starling;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The real GGUF models and tokenizer fixtures made with llama.cpp, kept beside the repository in
 * {@code ../shared/models} (or wherever {@code STARLING_TEST_MODELS} points). Tests that need them skip,
 * saying why, when they are absent.
 */
public final class TestModels {

    private TestModels() {
    }

    /** The models directory, or a skipped test when it is absent. */
    public static Path dir() {
        Path dir = configured();
        assumeTrue(dir != null && Files.isDirectory(dir),
                "real test models not found: set STARLING_TEST_MODELS or put the shared models in ../shared/models (looked in " + dir + ")");
        return dir;
    }

    /** One file of the models directory, or a skipped test when it is absent. */
    public static Path file(String name) {
        Path file = dir().resolve(name);
        assumeTrue(Files.isRegularFile(file), "test model " + file + " is absent");
        return file;
    }

    /** Every *.gguf in the models directory and in its vocab/, sorted by path. */
    public static List<Path> allGguf() {
        Path dir = dir();
        try (Stream<Path> top = Files.list(dir);
             Stream<Path> vocab = Files.isDirectory(dir.resolve("vocab")) ? Files.list(dir.resolve("vocab")) : Stream.empty()) {
            return Stream.concat(top, vocab).filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path configured() {
        String env = System.getenv("STARLING_TEST_MODELS");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String property = System.getProperty("starling-test-models");
        return Path.of(property != null ? property : "../shared/models").toAbsolutePath().normalize();
    }
}
