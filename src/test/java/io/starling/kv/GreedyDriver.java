package io.starling.kv;

import io.starling.model.Batch;
import io.starling.model.KvStore;
import io.starling.model.LlamaModel;
import io.starling.model.Logits;
import java.util.Arrays;

/**
 * Feeds tokens to a model the way a scheduler would (prefill in chunks of {@value #CHUNK} aligned to absolute
 * positions, then one token per step) and decodes greedily, reserving pages first when the store is paged. The same
 * schedule on any store gives the same arithmetic, so tokens and logits can be compared exactly.
 */
final class GreedyDriver {

    static final int CHUNK = 8;

    private final LlamaModel model;

    GreedyDriver(LlamaModel model) {
        this.model = model;
    }

    /**
     * Feeds {@code feed} at positions {@code start ..}, then decodes {@code steps} tokens greedily, feeding each
     * but the last. Returns the decoded tokens; the top logit of each step goes to {@code topLogits} if not null.
     */
    int[] run(KvStore kv, int[] feed, int start, int steps, float[] topLogits) throws KvCacheFullException {
        Logits logits = null;
        int position = start;
        int fed = 0;
        while (fed < feed.length) {
            int end = Math.min(feed.length, fed + CHUNK - position % CHUNK);
            logits = forward(kv, position, Arrays.copyOfRange(feed, fed, end));
            position += end - fed;
            fed = end;
        }
        int[] decoded = new int[steps];
        for (int s = 0; s < steps; s++) {
            int best = argmax(logits, 0);
            decoded[s] = best;
            if (topLogits != null) {
                topLogits[s] = logits.array()[logits.offset(0) + best];
            }
            if (s < steps - 1) {
                logits = forward(kv, position++, new int[] {best});
            }
        }
        return decoded;
    }

    /** Feeds {@code tokens} one by one from {@code start}, as decode steps did (teacher forcing). */
    void replayDecode(KvStore kv, int[] tokens, int start) throws KvCacheFullException {
        for (int i = 0; i < tokens.length; i++) {
            forward(kv, start + i, new int[] {tokens[i]});
        }
    }

    private Logits forward(KvStore kv, int position, int[] tokens) throws KvCacheFullException {
        if (kv instanceof PagedKvStore paged) {
            paged.reserve(tokens);
        }
        return model.forward(Batch.single(kv, position, tokens, Batch.Outputs.LAST));
    }

    /** The most likely token of output row {@code row}. */
    static int argmax(Logits logits, int row) {
        float[] a = logits.array();
        int offset = logits.offset(row);
        int best = 0;
        for (int i = 1; i < logits.vocabSize(); i++) {
            if (a[offset + i] > a[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    static int[] concat(int[] a, int[] b) {
        int[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
