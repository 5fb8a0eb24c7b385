package io.starling.engine;

import io.starling.engine.GenerationEvent.ScoredToken;
import io.starling.model.Logits;
import io.starling.sampling.LogSoftmax;
import io.starling.sampling.TokenLogprob;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The log-probability of every prompt token given the tokens before it, collected from the prefill's logits chunk
 * by chunk: how legacy completions with echo and logprobs measure perplexity over HTTP.
 */
final class PromptScorer {

    /** Prompt tokens per step of a scored prefill: keeps its logits at chunk × vocab floats, not prompt × vocab. */
    static final int CHUNK = 64;

    private final int[] prompt;
    private final int top;
    private final List<ScoredToken> scored;

    PromptScorer(int[] prompt, int top) {
        this.prompt = prompt;
        this.top = top;
        this.scored = new ArrayList<>(prompt.length);
        // nothing precedes the first token
        scored.add(new ScoredToken(prompt[0], Float.NaN, List.of()));
    }

    /**
     * Scores with the logits of positions {@code [from, to)}, one row each from {@code firstRow} on: the row of
     * position p predicts the prompt token at p + 1 (the last prompt token predicts nothing scored).
     */
    void accept(Logits logits, int firstRow, int from, int to) {
        for (int p = from; p < to && p + 1 < prompt.length; p++) {
            int offset = logits.offset(firstRow + p - from);
            double logSum = LogSoftmax.logSumExp(logits.array(), offset, logits.vocabSize());
            int next = prompt[p + 1];
            scored.add(new ScoredToken(next, (float) (logits.array()[offset + next] - logSum),
                    best(logits.array(), offset, logits.vocabSize(), top, logSum)));
        }
    }

    List<ScoredToken> scores() {
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
