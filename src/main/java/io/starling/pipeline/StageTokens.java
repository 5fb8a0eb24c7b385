package io.starling.pipeline;

import io.starling.api.error.ApiException;
import io.starling.engine.ModelText;

/** Text to the ids the engine runs, as the completions endpoint tokenizes a prompt, with the checks that go with it. */
final class StageTokens {

    private StageTokens() {
    }

    /** The ids of {@code text}: BOS as the model asks, special-token texts parsed. */
    static int[] of(ModelText.Text model, String text) {
        return model.tokenizer().encode(text, true, true).ids();
    }

    /** The ids of a prompt the engine will run, refused with 400 when empty or too long for the context. */
    static int[] prompt(ModelText.Text model, String text, int maxTokens, String stage) {
        int[] ids = of(model, text);
        if (ids.length == 0) {
            throw ApiException.invalid("input", "the " + stage + " stage got an empty text (a model without BOS has "
                    + "nothing to run on)");
        }
        if (ids.length + maxTokens > model.contextLength()) {
            throw ApiException.contextLengthExceeded("input", ids.length, maxTokens, model.contextLength());
        }
        return ids;
    }
}
