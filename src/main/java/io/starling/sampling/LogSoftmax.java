package io.starling.sampling;

/** Log-probabilities of a logit row, computed as llama.cpp does: max-shifted, exponentials summed in double. */
public final class LogSoftmax {

    private LogSoftmax() {
    }

    /** {@code log(sum(exp(logits[offset .. offset + n))))}, the normaliser of every log-probability of the row. */
    public static double logSumExp(float[] logits, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
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
}
