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
 * frequency effects of the neighbours remain). Prints GMAC/s per core and ns per (weight block x token) for six
 * repetitions, then the best of them. BATCH may be a list ({@code 1,2,5}) or a range ({@code 1-12}): each batch
 * size in turn, in one JVM, a summary line of the best per batch at the end.
 *
 * <pre>perf/cputime Q4_0 2048 2048 1 [LLAMA_CPP|FLOAT]      # type rows cols batch
 * perf/cputime Q4_0 2048 2048 1-12                      # a sweep</pre>
 */
public final class MatMulCpuTime {

    private MatMulCpuTime() {
    }

    public static void main(String[] args) {
        GgmlType type = GgmlType.valueOf(args[0]);
        int rows = Integer.parseInt(args[1]);
        int cols = Integer.parseInt(args[2]);
        int[] batches = batches(args[3]);
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
        StringBuilder summary = new StringBuilder(type + " " + rows + "x" + cols + " " + mode + ", best us CPU per multiply:");
        try (MatMul matMul = new MatMul(1, mode)) {
            for (int batch : batches) {
                double best = time(matMul, w, batch, random);
                summary.append(String.format(" %d:%.1f", batch, best / 1e3));
            }
        }
        System.out.println(summary);
    }

    /** Six timed repetitions of one batch size; returns the best, in ns CPU per multiply. */
    private static double time(MatMul matMul, WeightMatrix w, int batch, SplittableRandom random) {
        int rows = w.rows();
        int cols = w.cols();
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        float[] out = new float[batch * rows];
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int iterations = Math.max(20, (int) (2e9 / ((double) rows * cols * batch)));
        double best = Double.MAX_VALUE;
        for (int rep = 0; rep < 6; rep++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < iterations; i++) {
                matMul.multiply(w, x, batch, out);
            }
            double ns = (double) (threads.getCurrentThreadCpuTime() - start) / iterations;
            best = Math.min(best, ns);
            System.out.printf("%s %dx%d batch %d %s: %.1f us CPU per multiply, %.2f ns per block-token, %.1f GMAC/s per core%n",
                    w.format().type(), rows, cols, batch, matMul.activations(), ns / 1e3,
                    ns / ((double) rows * cols / 32 * batch), (double) rows * cols * batch / ns);
        }
        return best;
    }

    /** "8", "1,2,5" or "1-12". */
    private static int[] batches(String spec) {
        if (spec.contains("-")) {
            int from = Integer.parseInt(spec.substring(0, spec.indexOf('-')));
            int to = Integer.parseInt(spec.substring(spec.indexOf('-') + 1));
            return java.util.stream.IntStream.rangeClosed(from, to).toArray();
        }
        return java.util.Arrays.stream(spec.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
