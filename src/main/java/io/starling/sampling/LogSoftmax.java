package io.starling.sampling;

import io.starling.tensor.Vectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Log-probabilities of a logit row: max-shifted, as llama.cpp computes them. The normaliser runs once per generated
 * token whether or not logprobs were asked (a generation's confidence is its mean token probability), so it is
 * vectorised: exponentials by ggml's {@code ggml_v_expf} polynomial in SIMD lanes (within 1.5 ulp of the true
 * value), added in float lanes over short blocks and the blocks in double. Plain FMA, add and multiply only — no
 * {@code VectorOperators.EXP}, whose compiled (SVML) and interpreted results differ in the last bit — so a row has
 * the same normaliser early and late in a run.
 */
public final class LogSoftmax {

    private static final VectorSpecies<Float> F = Vectors.floatSpecies();
    private static final int L = F.length();
    /** Vectors added in float lanes before the lanes go to the double sum: at most 32 roundings of values ≤ 1. */
    private static final int BLOCK = 32;
    /** Below e^-87 an exponential is under 1.7e-38, nothing beside the row's maximum (1); clamping keeps 2^n normal. */
    private static final float LOWEST = -87f;

    private LogSoftmax() {
    }

    /** {@code log(sum(exp(logits[offset .. offset + n))))}, the normaliser of every log-probability of the row. */
    public static double logSumExp(float[] logits, int offset, int n) {
        float max = max(logits, offset, n);
        FloatVector shift = FloatVector.broadcast(F, max);
        FloatVector lanes = FloatVector.zero(F);
        double sum = 0;
        int blockFill = 0;
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            lanes = lanes.add(exp(FloatVector.fromArray(F, logits, offset + i).sub(shift)));
            if (++blockFill == BLOCK) {
                sum += laneSum(lanes);
                lanes = FloatVector.zero(F);
                blockFill = 0;
            }
        }
        sum += laneSum(lanes);
        for (; i < n; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        return max + Math.log(sum);
    }

    /** The log-probability of {@code token} in the row {@code logits[offset .. offset + n)}. */
    public static double logprob(float[] logits, int offset, int n, int token) {
        return logits[offset + token] - logSumExp(logits, offset, n);
    }

    /** The id of the largest logit; ties go to the lowest id, as in llama.cpp's greedy sampler. */
    public static int argmax(float[] logits, int offset, int n) {
        int best = 0;
        float bestValue = logits[offset];
        for (int i = 1; i < n; i++) {
            if (logits[offset + i] > bestValue) {
                bestValue = logits[offset + i];
                best = i;
            }
        }
        return best;
    }

    private static float max(float[] logits, int offset, int n) {
        FloatVector lanes = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            lanes = lanes.max(FloatVector.fromArray(F, logits, offset + i));
        }
        float max = lanes.reduceLanes(VectorOperators.MAX); // exact whatever the order
        for (; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        return max;
    }

    /**
     * e^x for x ≤ 0 (a logit minus the row's maximum), lane by lane as {@code ggml_v_expf}: x = n·ln 2 + b with n
     * rounded to an integer, e^b by a polynomial, times 2^n built in the exponent bits.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(LOWEST);
        final float round = 0x1.8p23f;
        FloatVector z = clamped.fma(0x1.715476p+0f, round);
        FloatVector n = z.sub(round);
        FloatVector minusN = n.neg();
        FloatVector b = minusN.lanewise(VectorOperators.FMA, 0x1.7f7d1cp-20f,
                minusN.lanewise(VectorOperators.FMA, 0x1.62e4p-1f, clamped));
        FloatVector u = b.mul(b);
        FloatVector j = b.fma(0x1.0e4020p-7f, 0x1.573e2ep-5f).fma(u, b.fma(0x1.555e66p-3f, 0x1.fffdb6p-2f))
                .fma(u, b.fma(0x1.ffffecp-1f, 1.0f));
        // z = 1.5·2^23 + n holds n in its low mantissa bits; (bits + 127) << 23 is 2^n's float (higher bits shift out)
        IntVector scale = z.reinterpretAsInts().add(127).lanewise(VectorOperators.LSHL, 23);
        return j.mul(scale.reinterpretAsFloats());
    }

    /** The lanes added in lane order, the same in interpreted and compiled code (unlike reduceLanes(ADD)). */
    private static double laneSum(FloatVector lanes) {
        double sum = 0;
        for (int k = 0; k < L; k++) {
            sum += lanes.lane(k);
        }
        return sum;
    }
}
