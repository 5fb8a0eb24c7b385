package io.starling.pipeline;

import io.starling.engine.ModelText;

/** {@code tokenize}: the text's token ids; no engine work, the text goes on unchanged. */
final class TokenizeStage implements Stage.EachInput {

    @Override
    public StageResult apply(Carry carry, ModelText.Text text) {
        int[] ids = StageTokens.of(text, carry.text());
        return StageResult.of(new StageOutputs.Tokens(ids, ids.length));
    }
}
