package io.starling.engine;

import io.starling.engine.GenerationEvent.ScoredToken;
import io.starling.model.Batch;
import io.starling.model.KvStore;
import io.starling.model.LlamaModel;
import io.starling.model.Logits;
import io.starling.sampling.LogSoftmax;
import io.starling.sampling.TokenLogprob;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The log-probability of every prompt token given the tokens before it: how legacy completions with echo and
 * logprobs measure perplexity over HTTP. Runs on the engine thread.
 */
final class PromptScorer {

    /** Rows of logits materialised at once: keeps a long prompt from allocating prompt × vocab floats. */
    private static final int CHUNK = 64;

    private PromptScorer() {
    }

    static List<ScoredToken> score(LlamaModel model, int[] prompt, int top) {
        List<ScoredToken> scored = new ArrayList<>(prompt.length);
        scored.add(new ScoredToken(prompt[0], Float.NaN, List.of()));
        KvStore kv = model.newKvStore(prompt.length);
        // logits of token j predict token j + 1; the last prompt token predicts nothing we score
        for (int start = 0; start < prompt.length - 1; start += CHUNK) {
            int end = Math.min(prompt.length - 1, start + CHUNK);
            Logits logits = model.forward(Batch.single(kv, start, Arrays.copyOfRange(prompt, start, end), Batch.Outputs.ALL));
            for (int j = start; j < end; j++) {
                int offset = logits.offset(j - start);
                double logSum = LogSoftmax.logSumExp(logits.array(), offset, logits.vocabSize());
                int next = prompt[j + 1];
                scored.add(new ScoredToken(next, (float) (logits.array()[offset + next] - logSum),
                        best(logits.array(), offset, logits.vocabSize(), top, logSum)));
            }
        }
        return scored;
    }

    /** The {@code k} most likely tokens of a row, best first (ties to the lower id). */
    static List<TokenLogprob> best(float[] row, int offset, int vocab, int k, double logSum) {
        if (k == 0) {
            return List.of();
        }
        Comparator<Integer> worstFirst = Comparator.<Integer>comparingDouble(id -> row[offset + id])
                .thenComparing(Comparator.<Integer>reverseOrder());
        PriorityQueue<Integer> heap = new PriorityQueue<>(k + 1, worstFirst);
        for (int id = 0; id < vocab; id++) {
            heap.add(id);
            if (heap.size() > k) {
                heap.poll();
            }
        }
        TokenLogprob[] out = new TokenLogprob[heap.size()];
        for (int i = out.length - 1; i >= 0; i--) {
            int id = heap.poll();
            out[i] = new TokenLogprob(id, (float) (row[offset + id] - logSum));
        }
        return List.of(out);
    }
}
