package io.starling.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml's {@code ggml_v_expf} (its AVX-512 build) in vector lanes of any species, over runs of an array: x = n·ln 2 +
 * b with n rounded to an integer, e^b by a polynomial (within about 1.5 ulp of the true value), times 2^n. Plain FMA,
 * add and multiply only — no {@code VectorOperators.EXP}, whose compiled (SVML) and interpreted results differ in the
 * last bit — so a value is the same early and late in a run. The model's softmax and SiLU and the sampler's
 * log-sum-exp share it.
 *
 * <p>Whole runs, not single vectors, cross this class's boundary: a vector passed to or returned from a method C2 did
 * not inline is boxed, and a shared per-vector helper was, at some call sites (once compiled on its own, its code
 * is too large to inline): SiLU and the sampler's log-sum-exp allocated megabytes per decode step.
 */
public final class VectorExp {

    private static final VectorSpecies<Float> F = Vectors.F;
    private static final int L = Vectors.L;

    private VectorExp() {
    }

    /** {@code dst[dstFrom + i] = e^(src[srcFrom + i] - shift)} for i in [0, count); src and dst may be the same run. */
    public static void exp(float[] src, int srcFrom, float[] dst, int dstFrom, int count, float shift) {
        runs(src, srcFrom, dst, dstFrom, count, shift, false);
    }

    /** SiLU in place, {@code x / (1 + e^-x)} for {@code v[from .. from + count)}, ggml_v_silu's arithmetic. */
    public static void silu(float[] v, int from, int count) {
        runs(v, from, v, from, count, 0f, true);
    }

    /**
     * Whole vectors in place; a part-filled last one through a padded copy (the model's callers never have one:
     * their runs are whole groups of 16), so the loop itself needs no masks, which not every platform compiles.
     */
    private static void runs(float[] src, int srcFrom, float[] dst, int dstFrom, int count, float shift, boolean silu) {
        int whole = F.loopBound(count);
        run(src, srcFrom, dst, dstFrom, whole, shift, silu);
        if (whole < count) {
            float[] padded = new float[L];
            System.arraycopy(src, srcFrom + whole, padded, 0, count - whole);
            run(padded, 0, padded, 0, L, shift, silu);
            System.arraycopy(padded, 0, dst, dstFrom + whole, count - whole);
        }
    }

    /**
     * e^x in every lane, the same bits as ggml: the same FMAs, and {@code j * 2^n} rounded once as
     * {@code _mm512_scalef_ps} rounds it, here as {@code (j * 2^a) * 2^b} with {@code a + b = n} and both powers
     * normal floats (|n| ≤ 192), the first product exact, so that only the second rounds (also into the subnormals).
     * Beyond |n| > 192 the result is 0 or infinity, as ggml's. Written once, inside the loop (see the class comment),
     * over whole vectors ({@code count} a multiple of the lanes).
     */
    private static void run(float[] src, int srcFrom, float[] dst, int dstFrom, int count, float shift, boolean silu) {
        final float r = 0x1.8p23f;
        for (int i = 0; i < count; i += L) {
            FloatVector in = FloatVector.fromArray(F, src, srcFrom + i);
            // SiLU's e^-x is taken of 0 - x, as ggml_v_silu does
            FloatVector x = silu ? in.broadcast(0f).sub(in) : in.sub(shift);
            FloatVector z = x.fma(0x1.715476p+0f, r);
            FloatVector n = z.sub(r);
            FloatVector minusN = n.neg();
            FloatVector b = minusN.lanewise(VectorOperators.FMA, 0x1.7f7d1cp-20f,
                    minusN.lanewise(VectorOperators.FMA, 0x1.62e4p-1f, x));
            FloatVector u = b.mul(b);
            FloatVector j = b.fma(0x1.0e4020p-7f, 0x1.573e2ep-5f).fma(u, b.fma(0x1.555e66p-3f, 0x1.fffdb6p-2f))
                    .fma(u, b.fma(0x1.ffffecp-1f, 1.0f));
            VectorMask<Float> outside = n.abs().compare(VectorOperators.GT, 192f);
            IntVector whole = (IntVector) n.min(192f).max(-192f).convert(VectorOperators.F2I, 0);
            IntVector a = whole.lanewise(VectorOperators.ASHR, 1);
            IntVector c = whole.sub(a);
            FloatVector powA = a.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector powC = c.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector beyond = x.broadcast(0f).blend(Float.POSITIVE_INFINITY, n.compare(VectorOperators.GT, 0f));
            FloatVector e = j.mul(powA).mul(powC).blend(beyond, outside);
            FloatVector out = silu ? in.div(e.add(1f)) : e;
            out.intoArray(dst, dstFrom + i);
        }
    }
}
