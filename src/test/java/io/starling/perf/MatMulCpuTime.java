package io.starling.perf;

import io.starling.gguf.GgmlType;
import io.starling.tensor.BlockFormats;
import io.starling.tensor.MatMul;
import io.starling.tensor.Quantizer;
import io.starling.tensor.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * One-thread kernel throughput in CPU time rather than wall time: on a machine shared with other builds, wall
 * time mostly measures the neighbours, while the thread's own CPU time still says what a kernel costs (cache and
 * frequency effects of the neighbours remain). Prints GMAC/s per core and ns per (weight block x token).
 *
 * <pre>perf/cputime Q4_0 2048 2048 1 [LLAMA_CPP|FLOAT]      # type rows cols batch</pre>
 */
public final class MatMulCpuTime {

    private MatMulCpuTime() {
    }

    public static void main(String[] args) {
        GgmlType type = GgmlType.valueOf(args[0]);
        int rows = Integer.parseInt(args[1]);
        int cols = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        MatMul.Activations mode = args.length > 4 ? MatMul.Activations.valueOf(args[4]) : MatMul.Activations.LLAMA_CPP;
        Quantizer quantizer = (Quantizer) BlockFormats.of(type);
        SplittableRandom random = new SplittableRandom(1);
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        byte[] bytes = quantizer.quantize(values);
        MemorySegment data = Arena.global().allocate(bytes.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, bytes.length);
        WeightMatrix w = new WeightMatrix("w", quantizer, data, rows, cols);
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        float[] out = new float[batch * rows];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int iterations = Math.max(20, (int) (2e9 / ((double) rows * cols * batch)));
        try (MatMul matMul = new MatMul(1, mode)) {
            for (int rep = 0; rep < 6; rep++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < iterations; i++) {
                    matMul.multiply(w, x, batch, out);
                }
                double ns = (double) (threads.getCurrentThreadCpuTime() - start) / iterations;
                System.out.printf("%s %dx%d batch %d %s: %.1f us CPU per multiply, %.2f ns per block-token, %.1f GMAC/s per core%n",
                        type, rows, cols, batch, mode, ns / 1e3, ns / ((double) rows * cols / 32 * batch),
                        (double) rows * cols * batch / ns);
            }
        }
    }
}
