package io.starling.perf;

import io.starling.gguf.GgmlType;
import io.starling.tensor.BlockFormats;
import io.starling.tensor.MatMul;
import io.starling.tensor.Quantizer;
import io.starling.tensor.WeightMatrix;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The experiment behind the kernel design (perf/RESULTS.md, "Kernels"): a Q8_0 x Q8_0 matrix-vector product
 * (2048 x 2048, one thread) done the llama.cpp way with integer products (bytes widened to shorts, multiplied,
 * widened to ints, summed, converted and scaled per block: the Vector API has no vpmaddubsw/vpdpbusd) against
 * Starling's kernel (weights widened to floats, FMA with the Q8-rounded activations).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class IntVsFloatDotBenchmark {
    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int ROWS = 2048;
    private static final int COLS = 2048;

    private Arena arena;
    private MemorySegment data;
    private WeightMatrix weights;
    private MatMul matMul;
    private float[] x;
    private short[] xq;
    private float[] xd;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        Quantizer q8 = BlockFormats.quantizer(GgmlType.Q8_0);
        arena = Arena.ofShared();
        long rowBytes = GgmlType.Q8_0.byteSize(COLS);
        data = arena.allocate(rowBytes * ROWS, 64);
        SplittableRandom random = new SplittableRandom(1);
        float[] row = new float[COLS];
        for (int r = 0; r < ROWS; r++) {
            for (int k = 0; k < COLS; k++) {
                row[k] = (float) (random.nextDouble() - 0.5);
            }
            q8.quantize(row, 0, COLS, data, r * rowBytes);
        }
        weights = new WeightMatrix("w", q8, data, ROWS, COLS);
        x = new float[COLS];
        for (int k = 0; k < COLS; k++) {
            x[k] = (float) (random.nextDouble() - 0.5);
        }
        byte[] xBlocks = q8.quantize(x);
        MemorySegment xs = MemorySegment.ofArray(xBlocks);
        xq = new short[COLS];
        xd = new float[COLS / 32];
        for (int b = 0; b < COLS / 32; b++) {
            xd[b] = Float.float16ToFloat(xs.get(HALF, b * 34L));
            for (int j = 0; j < 32; j++) {
                xq[b * 32 + j] = xs.get(ValueLayout.JAVA_BYTE, b * 34L + 2 + j);
            }
        }
        out = new float[ROWS];
        matMul = new MatMul(1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        matMul.close();
        arena.close();
    }

    @Benchmark
    public float[] floatKernel() {
        matMul.multiply(weights, x, 1, out);
        return out;
    }

    @Benchmark
    public float[] integerKernel() {
        long rowBytes = 34L * (COLS / 32);
        for (int r = 0; r < ROWS; r++) {
            FloatVector acc = FloatVector.zero(F512);
            long row = r * rowBytes;
            for (int b = 0; b < COLS / 32; b++) {
                long block = row + 34L * b;
                ShortVector w = (ShortVector) ByteVector.fromMemorySegment(B32, data, block + 2, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, S512, 0);
                ShortVector p = w.mul(ShortVector.fromArray(S512, xq, b * 32));
                IntVector sum = ((IntVector) p.convertShape(VectorOperators.S2I, I512, 0))
                        .add((IntVector) p.convertShape(VectorOperators.S2I, I512, 1));
                float scale = Float.float16ToFloat(data.get(HALF, block)) * xd[b];
                acc = ((FloatVector) sum.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, scale), acc);
            }
            out[r] = acc.reduceLanes(VectorOperators.ADD);
        }
        return out;
    }
}
