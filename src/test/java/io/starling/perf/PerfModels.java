package io.starling.perf;

import io.starling.gguf.GgmlType;
import io.starling.model.SyntheticModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The synthetic TinyLlama-1.1B-shaped models the benchmarks run on: random weights, the real 32000-token
 * llama-spm vocab, written once by our own GGUF writer under {@code perf/models/} (git-ignored) and reused.
 * Run as a program to write them ahead of a benchmark: {@code PerfModels Q4_0 Q8_0}.
 */
public final class PerfModels {

    private PerfModels() {
    }

    public static Path tinyLlama(GgmlType type) throws IOException {
        Path file = Path.of("perf", "models", "tinyllama-1.1b-synthetic-" + type.name() + ".gguf");
        if (Files.isRegularFile(file)) {
            return file;
        }
        Files.createDirectories(file.getParent());
        long start = System.nanoTime();
        System.err.printf("writing %s (once; later runs reuse it)...%n", file);
        SyntheticModel.tinyLlama11B().type(type).vocabFrom(vocabFile()).write(file);
        System.err.printf(Locale.ROOT, "wrote %s: %.1f MiB in %.1f s%n", file, Files.size(file) / 1048576.0,
                (System.nanoTime() - start) / 1e9);
        return file;
    }

    /** llama.cpp's llama-spm vocab fixture, from STARLING_TEST_MODELS or ../shared/models. */
    static Path vocabFile() {
        String env = System.getenv("STARLING_TEST_MODELS");
        Path dir = Path.of(env != null && !env.isBlank() ? env : "../shared/models");
        Path vocab = dir.resolve("vocab").resolve("ggml-vocab-llama-spm.gguf");
        if (!Files.isRegularFile(vocab)) {
            throw new IllegalStateException("the perf models copy their vocab from " + vocab
                    + ": set STARLING_TEST_MODELS to the shared models directory");
        }
        return vocab;
    }

    public static void main(String[] args) throws IOException {
        for (String type : args.length == 0 ? new String[] {"Q4_0", "Q8_0"} : args) {
            System.out.println(tinyLlama(GgmlType.valueOf(type)));
        }
    }
}
