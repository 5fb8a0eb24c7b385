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
    /** A block's exponentials, per thread: a row is exponentiated a block at a time (see VectorExp's comment). */
    private static final ThreadLocal<float[]> EXPS = ThreadLocal.withInitial(() -> new float[BLOCK * L]);

    private LogSoftmax() {
    }

    /** {@code log(sum(exp(logits[offset .. offset + n))))}, the normaliser of every log-probability of the row. */
    public static double logSumExp(float[] logits, int offset, int n) {
        float max = max(logits, offset, n);
        float[] exps = EXPS.get();
        double sum = 0;
        int bound = F.loopBound(n);
        for (int block = 0; block < bound; block += BLOCK * L) {
            int count = Math.min(BLOCK * L, bound - block);
            VectorExp.exp(logits, offset + block, exps, 0, count, max);
            FloatVector lanes = FloatVector.zero(F);
            for (int k = 0; k < count; k += L) {
                lanes = lanes.add(FloatVector.fromArray(F, exps, k));
            }
            lanes.intoArray(exps, 0);
            sum += laneSum(exps);
        }
        for (int i = bound; i < n; i++) {
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

    /** Stored lanes added in lane order, the same in interpreted and compiled code (unlike reduceLanes(ADD)). */
    private static double laneSum(float[] lanes) {
        double sum = 0;
        for (int k = 0; k < L; k++) {
            sum += lanes[k];
        }
        return sum;
    }
}
