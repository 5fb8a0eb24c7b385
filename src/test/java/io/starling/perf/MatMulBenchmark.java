package io.starling.perf;

import io.starling.gguf.GgmlType;
import io.starling.tensor.BlockFormats;
import io.starling.tensor.MatMul;
import io.starling.tensor.Quantizer;
import io.starling.tensor.WeightMatrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Batched matrix multiply at TinyLlama-1.1B shapes (rows x cols): attention 2048x2048, FFN up/gate 5632x2048,
 * FFN down 2048x5632, output head 32000x2048. Weights live off-heap like the mmapped GGUF. Score is one multiply
 * (all tokens of the batch); GFLOP/s = 2 * rows * cols * batch / time, GB/s = weight bytes / time.
 *
 * <pre>perf/jmh MatMulBenchmark -p type=Q4_0 -p shape=2048x2048 -p batch=1 -prof gc</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx3g"})
public class MatMulBenchmark {

    @Param({"Q4_0", "Q8_0", "F16", "F32"})
    public String type;

    @Param({"2048x2048", "5632x2048", "2048x5632", "32000x2048"})
    public String shape;

    @Param({"1", "32"})
    public int batch;

    @Param({"2"})
    public int threads;

    @Param({"LLAMA_CPP"})
    public String activations;

    private Arena arena;
    private MatMul matMul;
    private WeightMatrix weights;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        int rows = Integer.parseInt(dims[0]);
        int cols = Integer.parseInt(dims[1]);
        GgmlType ggmlType = GgmlType.valueOf(type);
        Quantizer quantizer = BlockFormats.quantizer(ggmlType);
        arena = Arena.ofShared();
        long rowBytes = ggmlType.byteSize(cols);
        MemorySegment data = arena.allocate(rowBytes * rows, 64);
        SplittableRandom random = new SplittableRandom(42);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < cols; k++) {
                row[k] = (float) (random.nextDouble() * 2 - 1) * 0.05f;
            }
            quantizer.quantize(row, 0, cols, data, r * rowBytes);
        }
        weights = new WeightMatrix(type + "-" + shape, quantizer, data, rows, cols);
        x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
        }
        out = new float[batch * rows];
        matMul = new MatMul(threads, MatMul.Activations.valueOf(activations));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        matMul.close();
        arena.close();
    }

    @Benchmark
    public float[] multiply() {
        matMul.multiply(weights, x, batch, out);
        return out;
    }
}
