package io.starling.engine;

import io.starling.sampling.SamplingScratch;
import io.starling.tokenizer.Tokenizer;

/**
 * What every running request of one model shares: its tokenizer, end-of-generation ids, context length and
 * metrics. Built once per engine loop.
 *
 * @param stopTokens indexed by token id: true for ids that end a sequence (a flag array, not a set, so the
 *                   per-token check does not box)
 * @param sampling   the work arrays every sampler of the loop's sequences shares (they sample one at a time)
 */
record ServingContext(Tokenizer tokenizer, boolean[] stopTokens, int contextLength, EngineMetrics metrics,
                      SamplingScratch sampling) {

    static ServingContext of(ModelText.Text text, EngineMetrics metrics) {
        boolean[] stops = new boolean[text.tokenizer().vocabSize()];
        for (int id : text.stopTokens()) {
            stops[id] = true;
        }
        return new ServingContext(text.tokenizer(), stops, text.contextLength(), metrics,
                new SamplingScratch(text.tokenizer().vocabSize()));
    }
}
