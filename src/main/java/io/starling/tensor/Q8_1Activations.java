package io.starling.tensor;

import java.lang.foreign.MemorySegment;

/**
 * Activations quantized to Q8_1 as ggml-cpu's x86 quantize_row_q8_1 does, for the Q4_1 and Q5_1 dots (and, without
 * s, as Q8_0 for the Q5_0 dot: x86's quantize_row_q8_0 gives the same quants and d): per block of 32,
 * d = amax / 127 (stored as fp16), q = round-half-even(x * 127 / amax), and s = fp16(d * sum(q)) with the
 * unrounded d. That block sum is why Q8_1 is not an {@link ActivationRounding}: ggml_vec_dot_q5_1_q8_1 adds
 * m * s for the weights' offset m, and s is not the sum of the rounded values (it is d * sum(q) rounded to fp16,
 * up to 2^-11 away), so the kernel needs it besides the values.
 *
 * <p>One instance per kernel thread ({@link #local()}), grown to the largest batch seen; nothing is allocated
 * once it has grown.
 */
final class Q8_1Activations {
    static final int BLOCK = 32;

    private static final ThreadLocal<Q8_1Activations> LOCAL = ThreadLocal.withInitial(Q8_1Activations::new);

    /** Quants, one per activation. */
    byte[] q = new byte[0];
    /** fp16(d) per block, as a float. */
    float[] d = new float[0];
    /** fp16(d * sum(q)) per block, as a float. */
    float[] s = new float[0];
    /** Eight accumulator lanes: the dot's scratch. */
    final float[] lanes = new float[8];

    private int[] rowQuants = new int[0];
    private float[] rowScales = new float[0];

    /** Scratch for one decoded weight row of {@code cols} quants (the Q4_1, Q5_0 and Q5_1 kernels). */
    int[] rowQuants(int cols) {
        if (rowQuants.length < cols) {
            rowQuants = new int[cols];
        }
        return rowQuants;
    }

    /** Scratch for one decoded weight row's per-block floats (d, and m for Q4_1 and Q5_1). */
    float[] rowScales(int blocks) {
        if (rowScales.length < blocks) {
            rowScales = new float[blocks];
        }
        return rowScales;
    }

    static Q8_1Activations local() {
        return LOCAL.get();
    }

    /** Decodes one weight row into quants and per-block (d, m) pairs ({@code scales[2i]}, {@code scales[2i + 1]}). */
    @FunctionalInterface
    interface OffsetRowDecoder {
        void decode(MemorySegment w, long row, int blocks, int[] quants, float[] scales);
    }

    /**
     * The Q4_1/Q5_1 kernel, the formats differing only in how a row decodes: activations quantized to Q8_1 once
     * per call, each weight row decoded once and dotted with every token ({@link #dotWithOffsets}).
     */
    static void multiplyRowsWithOffsets(OffsetRowDecoder decoder, MemorySegment w, long rowBytes, int cols, float[] x,
                                        int xOffset, int batch, float[] out, int outOffset, int outStride,
                                        int rowStart, int rowEnd) {
        Q8_1Activations activations = local();
        activations.quantize(x, xOffset, batch * cols);
        int blocks = cols / BLOCK;
        int[] quants = activations.rowQuants(cols);
        float[] scales = activations.rowScales(2 * blocks);
        for (int r = rowStart; r < rowEnd; r++) {
            decoder.decode(w, r * rowBytes, blocks, quants, scales);
            for (int b = 0; b < batch; b++) {
                out[outOffset + b * outStride + r] = activations.dotWithOffsets(quants, scales, blocks, b * blocks);
            }
        }
    }

    /**
     * One decoded row with offsets (quants, and d, m per block in {@code scales}) against one token's Q8_1 blocks
     * from block {@code firstBlock}, in the float order of ggml's AVX2 q4_1/q5_1 kernels (which AVX-512 builds use):
     * eight accumulator lanes, lane i taking the exact integer sum of elements 4i..4i+3 of each block times
     * fp16(dx) * fp16(dy) by FMA; the offsets m * s summed separately (GCC fuses that multiply-add too);
     * result = halving-tree sum of the lanes + the offsets.
     */
    float dotWithOffsets(int[] quants, float[] scales, int blocks, int firstBlock) {
        float[] acc = lanes;
        java.util.Arrays.fill(acc, 0f);
        float offsets = 0f;
        for (int i = 0; i < blocks; i++) {
            int yb = firstBlock + i;
            offsets = Math.fma(scales[2 * i + 1], s[yb], offsets);
            float scale = scales[2 * i] * d[yb];
            int qx = i * BLOCK;
            int qy = yb * BLOCK;
            for (int lane = 0; lane < 8; lane++) {
                int sum = 0;
                for (int j = 4 * lane; j < 4 * lane + 4; j++) {
                    sum += quants[qx + j] * q[qy + j];
                }
                acc[lane] = Math.fma((float) sum, scale, acc[lane]);
            }
        }
        return GgmlDot.tree(acc, 8) + offsets;
    }

    /** Quantizes {@code count} activations (whole blocks) from {@code x[offset]}. */
    void quantize(float[] x, int offset, int count) {
        if (count % BLOCK != 0) {
            throw new IllegalArgumentException(count + " values are not whole Q8_1 blocks");
        }
        int blocks = count / BLOCK;
        if (q.length < count) {
            q = new byte[count];
            d = new float[blocks];
            s = new float[blocks];
        }
        for (int b = 0; b < blocks; b++) {
            int in = offset + b * BLOCK;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[in + j]));
            }
            float dFloat = amax / 127f;
            float id = amax != 0 ? 127f / amax : 0f;
            int sum = 0;
            for (int j = 0; j < BLOCK; j++) {
                int v = (int) Math.rint(x[in + j] * id);
                q[b * BLOCK + j] = (byte) v;
                sum += v;
            }
            d[b] = Float.float16ToFloat(Float.floatToFloat16(dFloat));
            s[b] = Float.float16ToFloat(Float.floatToFloat16(dFloat * sum));
        }
    }
}
