package io.starling.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import static io.starling.tensor.Vectors.F;
import static io.starling.tensor.Vectors.L;

/**
 * Float dot products summed in exactly the order of llama.cpp's x86 AVX-512 CPU backend, whatever our vector
 * width: on tiny models a changed summation order moves logprobs by more than 1e-3 (through the F16 KV cache),
 * so matching llama.cpp to 1e-3 needs its order, not just its precision.
 *
 * <ul>
 *   <li>{@code ggml_vec_dot_f32/f16} (one token, or rows not a multiple of 16): 64 FMA accumulator lanes (4
 *       registers of 16) over the first {@code n & ~63} elements, lane i summing elements i, i + 64, ...; then
 *       a halving tree (GGML_F32_VEC_REDUCE, then _mm512_reduce_add_ps: lane i + lane i + 32, + 16, ... + 1);
 *       then the leftovers, in float for F32 and in double for F16.</li>
 *   <li>llamafile's tinyBLAS (two or more tokens and rows a multiple of 16): one 16-lane FMA accumulator per
 *       output, lane i summing elements i, i + 16, ..., then the same halving tree over 16 lanes.</li>
 * </ul>
 * The lane-strided sums are computed with our vectors ({@code L} divides both 16 and 64) and stored to a lane
 * buffer; the tree runs on that buffer, with vectors, in the same order.
 */
public final class GgmlDot {
    /** Lanes of ggml_vec_dot's accumulators (GGML_F32_STEP on AVX-512). */
    public static final int VEC_DOT_LANES = 64;
    /** Lanes of tinyBLAS's accumulator (one __m512). */
    public static final int TINYBLAS_LANES = 16;

    /** Lane i takes lane i + k (modulo the length): one level of the halving tree inside a register. */
    private static final VectorShuffle<Float> DOWN_8 = VectorShuffle.iota(F, 8, 1, true);
    private static final VectorShuffle<Float> DOWN_4 = VectorShuffle.iota(F, 4, 1, true);
    private static final VectorShuffle<Float> DOWN_2 = VectorShuffle.iota(F, 2, 1, true);
    private static final VectorShuffle<Float> DOWN_1 = VectorShuffle.iota(F, 1, 1, true);
    /** Floats of half the width: they widen to exactly one vector of doubles {@link #D}. */
    private static final VectorSpecies<Float> F_HALF =
            FloatVector.SPECIES_PREFERRED.withShape(VectorShape.forBitSize(Vectors.SHAPE.vectorBitSize() / 2));
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED.withShape(Vectors.SHAPE);

    private GgmlDot() {
    }

    /** True when llama.cpp's llamafile_sgemm takes a matrix product of this shape (else ggml_vec_dot). */
    public static boolean usesTinyBlas(int tokens, int cols) {
        return tokens >= 2 && cols % TINYBLAS_LANES == 0;
    }

    /** A lane buffer big enough for any of these sums. */
    public static float[] newLanes() {
        return new float[VEC_DOT_LANES];
    }

    /**
     * ggml_vec_dot_f32 as GCC 12 compiles it for AVX-512: the 64-lane sum, then leftovers added in order to a
     * float, the first {@code (leftovers & ~7)} as rounded products (GCC vectorises those multiplications) and
     * the last few with a scalar FMA (contracted {@code sumf += x*y}).
     */
    public static float vecDotF32(float[] a, int aOffset, float[] b, int bOffset, int n, float[] lanes) {
        int np = n & -VEC_DOT_LANES;
        float sum = laneSum(a, aOffset, b, bOffset, np, VEC_DOT_LANES, lanes);
        int i = np;
        int rounded = np + ((n - np) & ~7);
        for (; i < rounded; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        for (; i < n; i++) {
            sum = Math.fma(a[aOffset + i], b[bOffset + i], sum);
        }
        return sum;
    }

    /**
     * ggml_vec_dot_f16 on values that are already F16 (their products are exact in float, so FMA or not does
     * not matter): the 64-lane float sum widened to double, the leftovers added in double, rounded once.
     */
    public static float vecDotF16(float[] a, int aOffset, float[] b, int bOffset, int n, float[] lanes) {
        int np = n & -VEC_DOT_LANES;
        double sum = laneSum(a, aOffset, b, bOffset, np, VEC_DOT_LANES, lanes);
        for (int i = np; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return (float) sum;
    }

    /**
     * {@link #vecDotF16} of {@code a} against {@code count} vectors at once, {@code out[outOffset + j]} for vector j,
     * whose element i sits at {@code b[bOffset + i * bStride + j]}: a key cache transposed (one query against every
     * position) or a value cache as it is (softmax weights against every dimension). The vectors' lanes are the
     * outputs j, so each lane runs the scalar kernel's additions in its order: lane l of the 64-lane sum, the halving
     * tree over l, the leftovers in double. Per output that is some 5 vector operations where a call of vecDotF16
     * spent 40 or more, and leftovers in vectors rather than a scalar loop. The last {@code count % L} outputs go
     * through vecDotF16 itself. {@code scratch} holds {@link #columnsScratch} floats, {@code wide}
     * {@link Vectors#floatLanes()} doubles.
     */
    public static void vecDotF16Columns(float[] a, int aOffset, float[] b, int bOffset, int bStride, int n, int count,
                                        float[] out, int outOffset, float[] scratch, double[] wide) {
        int np = n & -VEC_DOT_LANES;
        int vectors = count - count % L;
        for (int j = 0; j < vectors; j += L) {
            // the 64-lane sums of laneSum for L outputs side by side, the first level of their halving tree (lane l +
            // lane l + 32) on the fly, the others (+ 16, ... + 1) over the stored vectors
            // (the sums stay in the scratch: a vector variable set on two paths was boxed where they merge)
            if (np > 0) {
                for (int lane = 0; lane < VEC_DOT_LANES / 2; lane++) {
                    FloatVector low = FloatVector.zero(F), high = low;
                    for (int i = lane; i < np; i += VEC_DOT_LANES) {
                        low = FloatVector.fromArray(F, b, bOffset + i * bStride + j).fma(FloatVector.broadcast(F, a[aOffset + i]), low);
                        int k = i + VEC_DOT_LANES / 2;
                        high = FloatVector.fromArray(F, b, bOffset + k * bStride + j).fma(FloatVector.broadcast(F, a[aOffset + k]), high);
                    }
                    low.add(high).intoArray(scratch, lane * L);
                }
                for (int half = VEC_DOT_LANES / 4; half >= 1; half >>= 1) {
                    for (int lane = 0; lane < half; lane++) {
                        FloatVector.fromArray(F, scratch, lane * L).add(FloatVector.fromArray(F, scratch, (lane + half) * L))
                                .intoArray(scratch, lane * L);
                    }
                }
            } else {
                java.util.Arrays.fill(scratch, 0, L, 0f);
            }
            if (np == n) {
                System.arraycopy(scratch, 0, out, outOffset + j, L);
                continue;
            }
            // the leftovers in double, each half of the outputs widened on its own (a half-width float vector converts
            // to doubles in place; taking the upper part of a full one was not compiled to a conversion, and boxed)
            DoubleVector low = (DoubleVector) FloatVector.fromArray(F_HALF, scratch, 0).convertShape(VectorOperators.F2D, D, 0);
            DoubleVector high = (DoubleVector) FloatVector.fromArray(F_HALF, scratch, L / 2).convertShape(VectorOperators.F2D, D, 0);
            for (int i = np; i < n; i++) {
                int at = bOffset + i * bStride + j;
                float ai = a[aOffset + i];
                low = low.add((DoubleVector) FloatVector.fromArray(F_HALF, b, at).mul(ai).convertShape(VectorOperators.F2D, D, 0));
                high = high.add((DoubleVector) FloatVector.fromArray(F_HALF, b, at + L / 2).mul(ai).convertShape(VectorOperators.F2D, D, 0));
            }
            low.intoArray(wide, 0);
            high.intoArray(wide, L / 2);
            for (int k = 0; k < L; k++) {
                out[outOffset + j + k] = (float) wide[k];
            }
        }
        for (int j = vectors; j < count; j++) {
            // the column after the lane buffer
            for (int i = 0; i < n; i++) {
                scratch[VEC_DOT_LANES + i] = b[bOffset + i * bStride + j];
            }
            out[outOffset + j] = vecDotF16(a, aOffset, scratch, VEC_DOT_LANES, n, scratch);
        }
    }

    /** Floats of {@link #vecDotF16Columns}'s scratch for vectors of {@code n} elements. */
    public static int columnsScratch(int n) {
        return Math.max(VEC_DOT_LANES + n, VEC_DOT_LANES / 2 * L);
    }

    /** tinyBLAS's dot of one output: {@code n} must be a multiple of 16. */
    public static float tinyBlas(float[] a, int aOffset, float[] b, int bOffset, int n, float[] lanes) {
        return laneSum(a, aOffset, b, bOffset, n, TINYBLAS_LANES, lanes);
    }

    /**
     * Sums {@code np} products (a multiple of {@code width}) in {@code width} FMA lanes and reduces the lanes by
     * the halving tree.
     */
    static float laneSum(float[] a, int aOffset, float[] b, int bOffset, int np, int width, float[] lanes) {
        if (np == 0) {
            return 0f;
        }
        for (int v = 0; v < width; v += L) {
            FloatVector acc = FloatVector.zero(F);
            for (int s = v; s < np; s += width) {
                acc = FloatVector.fromArray(F, a, aOffset + s).fma(FloatVector.fromArray(F, b, bOffset + s), acc);
            }
            acc.intoArray(lanes, v);
        }
        return tree(lanes, width);
    }

    /**
     * The halving tree of GGML_F32_VEC_REDUCE and _mm512_reduce_add_ps over {@code width} (a power of two)
     * lanes: lane i += lane i + width/2, and so on down to one. Destroys the buffer. The same additions as a scalar
     * walk, in vectors: the levels wider than a vector lane by lane in the buffer, the last ones in one register
     * (lane i plus lane i + half, by a fixed permutation; the lanes past half hold sums nobody reads). The scalar walk
     * (a chain of dependent loads and stores) took ~9% of a 128-token prefill in attention.
     */
    public static float tree(float[] lanes, int width) {
        if (width < L) {
            for (int half = width >> 1; half >= 1; half >>= 1) {
                for (int i = 0; i < half; i++) {
                    lanes[i] += lanes[i + half];
                }
            }
            return lanes[0];
        }
        for (int half = width >> 1; half >= L; half >>= 1) {
            for (int i = 0; i < half; i += L) {
                FloatVector.fromArray(F, lanes, i).add(FloatVector.fromArray(F, lanes, i + half)).intoArray(lanes, i);
            }
        }
        FloatVector v = FloatVector.fromArray(F, lanes, 0);
        if (L >= 16) {
            v = v.add(v.rearrange(DOWN_8));
        }
        if (L >= 8) {
            v = v.add(v.rearrange(DOWN_4));
        }
        v = v.add(v.rearrange(DOWN_2));
        v = v.add(v.rearrange(DOWN_1));
        return v.lane(0);
    }
}
