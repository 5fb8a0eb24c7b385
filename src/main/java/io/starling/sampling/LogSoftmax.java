package io.starling.sampling;

import io.starling.tensor.VectorExp;
import io.starling.tensor.Vectors;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Log-probabilities of a logit row: max-shifted, as llama.cpp computes them. The normaliser runs once per generated
 * token whether or not logprobs were asked (a generation's confidence is its mean token probability), so it is
 * vectorised: exponentials by ggml's {@code ggml_v_expf} in SIMD lanes ({@link VectorExp}, the same in every
 * execution mode, so a row has the same normaliser early and late in a run), added in float lanes over short blocks
 * and the blocks in double.
 */
public final class LogSoftmax {

    private static final VectorSpecies<Float> F = Vectors.floatSpecies();
    private static final int L = F.length();
    /** Vectors added in float lanes before the lanes go to the double sum: at most 32 roundings of values ≤ 1. */
    private static final int BLOCK = 32;

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
            lanes = lanes.add(VectorExp.ggmlExpf(FloatVector.fromArray(F, logits, offset + i).sub(shift)));
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

    /** The lanes added in lane order, the same in interpreted and compiled code (unlike reduceLanes(ADD)). */
    private static double laneSum(FloatVector lanes) {
        double sum = 0;
        for (int k = 0; k < L; k++) {
            sum += lanes.lane(k);
        }
        return sum;
    }
}
