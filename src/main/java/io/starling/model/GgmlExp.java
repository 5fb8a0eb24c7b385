package io.starling.model;

import io.starling.tensor.VectorExp;

/**
 * The exponentials of llama.cpp's AVX-512 CPU backend. Softmax and SiLU run 16 elements at a time through
 * {@code ggml_v_expf}, a polynomial approximation (up to about 1.5 ulp off the true value), and only the elements
 * past the last whole group of 16 through libm's {@code expf}; we reproduce both, since an ulp in a softmax
 * weight or a SiLU output can move a tiny model's logprobs by more than the 1e-3 we must match.
 */
final class GgmlExp {
    /** Elements per ggml_v_expf call (one __m512). */
    static final int GROUP = 16;

    private GgmlExp() {
    }

    /**
     * One lane of ggml_v_expf (AVX-512 build): every FMA as in the intrinsic sequence; the reference
     * {@link VectorExp} is checked against, lane by lane.
     */
    static float vExpf(float x) {
        final float r = 0x1.8p23f;
        float z = Math.fma(x, 0x1.715476p+0f, r);
        float n = z - r;
        float b = Math.fma(-n, 0x1.7f7d1cp-20f, Math.fma(-n, 0x1.62e4p-1f, x));
        if (Math.abs(n) > 192) {
            return n <= 0 ? 0f : Float.POSITIVE_INFINITY;
        }
        float u = b * b;
        float j = Math.fma(
                Math.fma(Math.fma(0x1.0e4020p-7f, b, 0x1.573e2ep-5f), u, Math.fma(0x1.555e66p-3f, b, 0x1.fffdb6p-2f)),
                u,
                Math.fma(0x1.ffffecp-1f, b, 1.0f));
        // _mm512_scalef_ps: j * 2^n, rounded once (scalb goes through double, exact, then rounds to float)
        return Math.scalb(j, (int) n);
    }

    /** libm's expf, for the elements past the last group of 16. */
    static float expf(float x) {
        return (float) Math.exp(x);
    }

    /**
     * ggml_vec_silu_f32 over {@code count} elements from {@code offset} (one row): ggml_v_silu on groups of 16,
     * {@code x / (1 + expf(-x))} on the rest.
     */
    static void silu(float[] v, int offset, int count) {
        int vectorEnd = count - count % GROUP;
        VectorExp.silu(v, offset, vectorEnd);
        for (int i = vectorEnd; i < count; i++) {
            float x = v[offset + i];
            v[offset + i] = x / (1f + expf(-x));
        }
    }
}
