package io.starling.tensor;

/**
 * How activations are rounded before they meet a weight matrix. llama.cpp's CPU backend converts the
 * activation vector to the weight type's "vec_dot_type" (Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for Q4_1/Q5_1, Q8_K for
 * the K-quants, F16 for F16, BF16 for BF16) and dots in that precision; rounding x the same way (once per
 * multiply) and then running float kernels reproduces its products up to float summation order.
 *
 * <p>The Q8 roundings dequantize again ({@code q * d}), so every kernel keeps a float inner loop:
 * products of a Q8 activation and a quantized weight are small integers times two scales, and their float sum
 * equals llama.cpp's integer sum times the same scales up to float rounding (see perf/RESULTS.md, "Kernels").
 *
 * <p>Formats whose llama.cpp dot needs more than rounded values (Q5_0, Q5_1 with Q8_1's block sums, the
 * K-quants with Q8_K's float d) report {@link #NONE} and quantize their activations themselves, to integers,
 * in both {@link MatMul.Activations} modes; their results then equal llama.cpp's bit for bit.
 */
public enum ActivationRounding {
    /** Activations as they are (F32 weights, or {@link MatMul.Activations#FLOAT} mode). */
    NONE,
    /** Round to IEEE half, nearest even (ggml_cpu_fp32_to_fp16). */
    F16,
    /** Round to bfloat16, nearest even. */
    BF16,
    /**
     * Blocks of 32 to Q8_0 (Q8_1 has the same quants and scale), as ggml-cpu's x86 SIMD quantize_row_q8_0 does:
     * d = amax / 127 stored as fp16, q = round-half-even(x * (127 / amax)); value q * fp16(d).
     */
    Q8_0,
    /** Blocks of 256 to Q8_K as quantize_row_q8_K_ref (which x86 uses): iscale = -127 / max, q = min(127, rint(x * iscale)); value q / iscale. */
    Q8_K;

    /** Rounds {@code count} values of {@code src} into {@code dst}; count is a multiple of this rounding's block. */
    public void round(float[] src, int srcOffset, float[] dst, int dstOffset, int count) {
        switch (this) {
            case NONE -> System.arraycopy(src, srcOffset, dst, dstOffset, count);
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = Float.float16ToFloat(Float.floatToFloat16(src[srcOffset + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = BF16Format.toFloat(BF16Format.fromFloat(src[srcOffset + i]));
                }
            }
            case Q8_0 -> roundQ8_0(src, srcOffset, dst, dstOffset, count);
            case Q8_K -> roundQ8_K(src, srcOffset, dst, dstOffset, count);
        }
    }

    /** Elements per rounding block (1 for the float roundings). */
    public int blockSize() {
        return switch (this) {
            case NONE, F16, BF16 -> 1;
            case Q8_0 -> 32;
            case Q8_K -> 256;
        };
    }

    private static void roundQ8_0(float[] src, int srcOffset, float[] dst, int dstOffset, int count) {
        if (count % 32 != 0) {
            throw new IllegalArgumentException(count + " values are not whole Q8_0 blocks");
        }
        for (int b = 0; b < count; b += 32) {
            int in = srcOffset + b;
            int out = dstOffset + b;
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(src[in + j]));
            }
            float d = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
            float id = amax != 0 ? 127f / amax : 0f;
            for (int j = 0; j < 32; j++) {
                dst[out + j] = (float) Math.rint(src[in + j] * id) * d;
            }
        }
    }

    private static void roundQ8_K(float[] src, int srcOffset, float[] dst, int dstOffset, int count) {
        if (count % 256 != 0) {
            throw new IllegalArgumentException(count + " values are not whole Q8_K blocks");
        }
        for (int b = 0; b < count; b += 256) {
            int in = srcOffset + b;
            int out = dstOffset + b;
            float max = BlockScan.signedAbsMax(src, in, 256);
            if (max == 0) {
                java.util.Arrays.fill(dst, out, out + 256, 0f);
                continue;
            }
            float iscale = -127f / max;
            float d = 1 / iscale;
            for (int j = 0; j < 256; j++) {
                dst[out + j] = Math.min(127, (int) Math.rint(iscale * src[in + j])) * d;
            }
        }
    }
}
