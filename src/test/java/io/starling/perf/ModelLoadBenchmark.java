package io.starling.perf;

import io.starling.gguf.GgmlType;
import io.starling.gguf.GgufFile;
import io.starling.model.LlamaWeights;
import io.starling.model.ModelShape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long a 1.1B-parameter model takes to become usable: mmap, header and tensor-table validation, the
 * architecture's shape checks, and binding every weight. The first iteration of each fork (SingleShotTime
 * with no warm-up) is a cold JVM, as a server start sees it.
 *
 * <p>{@code perf/jmh ModelLoadBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 20)
@Fork(value = 3, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ModelLoadBenchmark {

    @Param({"Q4_0", "Q8_0"})
    String type;

    private Path file;

    @Setup
    public void writeModelOnce() throws IOException {
        file = PerfModels.tinyLlama(GgmlType.valueOf(type));
    }

    @Benchmark
    public ModelShape mapAndValidate() throws IOException {
        try (GgufFile gguf = GgufFile.open(file)) {
            return ModelShape.of(gguf);
        }
    }

    @Benchmark
    public int mapValidateAndBindWeights() throws IOException {
        try (GgufFile gguf = GgufFile.open(file)) {
            LlamaWeights weights = LlamaWeights.of(gguf, ModelShape.of(gguf));
            return weights.layers().size();
        }
    }
}
