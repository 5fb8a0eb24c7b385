package io.starling.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import static io.starling.tensor.Vectors.F;
import static io.starling.tensor.Vectors.L;

/**
 * A batch of activation vectors rounded to Q8_0 exactly as {@link ActivationRounding#Q8_0} rounds them, but kept
 * apart: the quants {@code q} (integers in [-127, 127], stored as floats so that kernels load them straight into
 * float lanes) and the fp16-rounded block scales {@code d}. The rounded value of element i is
 * {@code q[i] * d[i / 32]}, bit for bit the value {@link ActivationRounding#round} produces.
 *
 * <p>Keeping quants and scales apart lets the Q4_0/Q8_0 kernels form each block's products as exact integers and
 * scale once per block, as llama.cpp's integer dot does; {@link #m} lets the Q4_0 kernel multiply the raw nibbles
 * ({@code (n - 8)q + (n' - 8)q' = nq + n'q' - 8(q + q')}).
 *
 * <p>Grown to the largest batch seen, reused by every call: one instance per {@link MatMul}.
 */
final class Q8Activations {
    /** Bytes of a cache line, the alignment of {@link #rounded}. */
    private static final int CACHE_LINE = 64;
    /** The byte order of {@link #rounded} and {@link #qt}, which the kernels read them in. */
    static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Tokens the buffers grow by. */
    private static final int GROWTH = 64;
    /** 1.5 * 2^23: adding and subtracting it rounds a float below 2^22 to the nearest integer, ties to even. */
    private static final float RINT = 12582912f;
    float[] q = new float[0];
    float[] d = new float[0];
    /**
     * Per block, {@code m[16b + j] = -8 * (q[32b + j] + q[32b + 16 + j])} for j in [0, 16): the Q4_0 single-token
     * kernel starts each lane's products from it, so that raw nibbles n give {@code Σ(n - 8)q} exactly.
     */
    float[] m = new float[0];
    /**
     * The rounded values themselves, {@code q[i] * d[i / 32]} (exact: 8 bits times an fp16 scale), token-major, as
     * native-order floats. Off the heap, on a cache-line boundary: the JVM aligns array data to 8 bytes only, and the
     * decode tiles, which load these values a whole vector at a time, ran 12-17% slower with most 64-byte loads
     * split over two cache lines (perf/RESULTS.md, "Activations on cache lines").
     */
    MemorySegment rounded = MemorySegment.NULL;
    /**
     * The first {@code groups} groups of {@link Vectors#floatLanes()} tokens again, element-major: lane t of the
     * native-order floats from index {@code (g * cols + i) * L} of {@code qt} (cache-line aligned as {@link #rounded}
     * is) is quant i of token g * L + t, lane t of {@code dt[(g * blocks + b) * L ..]}
     * its scale of block b ({@link Q8TokenLanes}).
     */
    MemorySegment qt = MemorySegment.NULL;
    float[] dt = new float[0];
    int groups;
    /**
     * Every token must get the tiles' arithmetic, alone or not (no token lanes, no single-token kernel), so that a
     * token's result does not depend on what else is in its batch ({@link MatMul#batchInvariant()}).
     */
    boolean tilesOnly;
    /** Tokens the groups hold: {@code groups * L} (groups are whole). */
    int grouped;
    /** Values per token of the batch being rounded. */
    private int cols;

    /**
     * Rounds {@code batch} vectors of {@code cols} values (whole blocks of 32) from {@code x[offset]}, for kernels
     * that run every token in tiles when {@code tilesOnly}: {@link #prepare}, then {@link #roundBlocks} and
     * {@link #transposeBlocks} over all their items (which {@link MatMul} splits over its threads for big batches).
     */
    void quantize(float[] x, int offset, int batch, int cols, boolean tilesOnly) {
        prepare(batch, cols, tilesOnly);
        roundBlocks(x, offset, 0, batch * cols / 32);
        transposeBlocks(0, transposeItems());
    }

    /** Sizes the buffers for {@code batch} tokens of {@code cols} values and decides their token groups. */
    void prepare(int batch, int cols, boolean tilesOnly) {
        if (cols % 32 != 0) {
            throw new IllegalArgumentException(cols + " values are not whole Q8_0 blocks");
        }
        reserve(batch, cols);
        this.tilesOnly = tilesOnly;
        this.cols = cols;
        // only whole groups: a half-empty group costs what a full one does, and the 4x4 tiles of Q8Kernels run a
        // few tokens at twice its speed; and only from two groups on: the 2x8 tiles, their rows streamed from the
        // halves of the range, run 16 and 24 tokens 10-16% faster than one group and its leftovers (perf/RESULTS.md)
        groups = tilesOnly || batch < 2 * L ? 0 : batch / L;
        grouped = groups * L;
    }

    /** Items of {@link #transposeBlocks}: one per block of 32 columns of each token group. */
    int transposeItems() {
        return groups * (cols / 32);
    }

    /**
     * The token groups' blocks [from, to) (item i: group i / blocks, block i % blocks) element-major, each output
     * line written in one run (token-major order wrote one float per 64-byte line, a line per element).
     */
    void transposeBlocks(int from, int to) {
        int blocks = cols / 32;
        for (int item = from; item < to; item++) {
            int g = item / blocks;
            int b = item % blocks;
            int src = g * L * cols;
            int dst = g * cols * L;
            for (int i = b * 32; i < b * 32 + 32; i++) {
                long line = dst + (long) i * L;
                for (int t = 0; t < L; t++) {
                    qt.setAtIndex(JAVA_FLOAT, line + t, q[src + t * cols + i]);
                }
            }
            int dsrc = g * L * blocks;
            int ddst = g * blocks * L;
            for (int t = 0; t < L; t++) {
                dt[ddst + b * L + t] = d[dsrc + t * blocks + b];
            }
        }
    }

    /**
     * Grows the buffers for {@code batch} tokens of {@code cols} values in steps of {@link #GROWTH} tokens: a prompt
     * prefilled chunk after chunk (or a batch that gains a sequence per step) regrew them at every longer step before,
     * each time leaving the old copies to the garbage collector (12 MB of them at a 512-token step of 2048 columns).
     */
    private void reserve(int batch, int cols) {
        int tokens = (batch + GROWTH - 1) / GROWTH * GROWTH;
        int count = tokens * cols;
        if (q.length < count) {
            q = new float[count];
            rounded = aligned(count);
        }
        if (qt.byteSize() < (long) count * Float.BYTES && batch >= L) {
            qt = aligned(count);
            dt = new float[count / 32];
        }
        if (d.length < count / 32) {
            d = new float[count / 32];
            m = new float[count / 2];
        }
    }

    /** Room for {@code floats} floats on a cache line, freed by the garbage collector once a growth drops it. */
    private static MemorySegment aligned(int floats) {
        return Arena.ofAuto().allocate((long) floats * Float.BYTES, CACHE_LINE);
    }

    /** Rounds blocks [from, to) of the batch (block b: values {@code x[offset + 32b ..]}), token-major. */
    void roundBlocks(float[] x, int offset, int from, int to) {
        // vectorized, bit for bit the scalar rounding: max and integer sums do not depend on order, and
        // (y + 1.5 * 2^23) - 1.5 * 2^23 is rint(y) for |y| < 2^22 (here |y| <= 127)
        int parts = 32 / L;
        for (int b = from; b < to; b++) {
            int in = offset + b * 32;
            int out = b * 32;
            FloatVector max = FloatVector.zero(F);
            for (int p = 0; p < parts; p++) {
                max = max.max(FloatVector.fromArray(F, x, in + p * L).abs());
            }
            float amax = max.reduceLanes(VectorOperators.MAX);
            float scale = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
            float id = amax != 0 ? 127f / amax : 0f;
            for (int p = 0; p < parts; p++) {
                FloatVector v = FloatVector.fromArray(F, x, in + p * L).mul(id).add(RINT).sub(RINT);
                v.intoArray(q, out + p * L);
                v.mul(scale).intoMemorySegment(rounded, ((long) out + (long) p * L) * Float.BYTES, ORDER);
            }
            for (int p = 0; p < parts / 2; p++) {
                FloatVector.fromArray(F, q, out + p * L).add(FloatVector.fromArray(F, q, out + 16 + p * L)).mul(-8f)
                        .intoArray(m, b * 16 + p * L);
            }
            d[b] = scale;
        }
    }
}
