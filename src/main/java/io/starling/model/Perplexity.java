package io.starling.model;

import io.starling.sampling.LogSoftmax;
import java.util.Arrays;

/**
 * Perplexity the way llama.cpp's llama-perplexity computes it: the token stream is cut into chunks of
 * {@code contextSize} tokens, each evaluated from an empty cache with its first token replaced by BOS (when the
 * model adds one); only the second half of each chunk is scored, each token given all the chunk before it, and
 * PPL = exp(mean negative log-likelihood).
 */
public final class Perplexity {

    /**
     * @param perplexity     exp of the mean negative log-likelihood
     * @param chunks         chunks evaluated
     * @param scoredTokens   tokens whose likelihood was counted
     * @param chunkEstimates the running estimate after each chunk, as llama-perplexity prints it
     */
    public record Result(double perplexity, int chunks, int scoredTokens, double[] chunkEstimates) {
    }

    private Perplexity() {
    }

    /**
     * @param tokens      the whole text's ids as tokenized with BOS, like llama-perplexity does
     * @param bosToken    the id that replaces each chunk's first token, or -1 when the model adds no BOS
     * @throws IllegalArgumentException when there are fewer than {@code 2 * contextSize} tokens (llama-perplexity's rule)
     */
    public static Result compute(LlamaModel model, int[] tokens, int contextSize, int bosToken) {
        if (contextSize < 4 || contextSize > model.shape().contextLength()) {
            throw new IllegalArgumentException("context size " + contextSize + " must be in [4, "
                    + model.shape().contextLength() + "]");
        }
        if (tokens.length < 2 * contextSize) {
            throw new IllegalArgumentException("need at least " + 2 * contextSize + " tokens for a context of "
                    + contextSize + ", the text has " + tokens.length);
        }
        int chunks = tokens.length / contextSize;
        int first = contextSize / 2;
        double nll = 0;
        int count = 0;
        double[] estimates = new double[chunks];
        for (int c = 0; c < chunks; c++) {
            int[] chunk = Arrays.copyOfRange(tokens, c * contextSize, (c + 1) * contextSize);
            if (bosToken >= 0) {
                chunk[0] = bosToken;
            }
            KvStore kv = model.newKvStore(contextSize);
            // the first half only fills the cache; the second half produces the logits that are scored
            model.forward(Batch.single(kv, 0, Arrays.copyOfRange(chunk, 0, first), Batch.Outputs.NONE));
            Logits logits = model.forward(Batch.single(kv, first, Arrays.copyOfRange(chunk, first, contextSize),
                    Batch.Outputs.ALL));
            for (int j = first; j < contextSize - 1; j++) {
                nll -= LogSoftmax.logprob(logits.array(), logits.offset(j - first), logits.vocabSize(), chunk[j + 1]);
                count++;
            }
            estimates[c] = Math.exp(nll / count);
        }
        return new Result(Math.exp(nll / count), chunks, count, estimates);
    }
}
