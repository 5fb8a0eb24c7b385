package io.starling.pipeline;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;

/** {@code tokenize}: the text's token ids; no engine work, the text goes on unchanged. */
final class TokenizeStage implements Stage {

    private final StageSpec.Tokenize spec;

    TokenizeStage(StageSpec.Tokenize spec) {
        this.spec = spec;
    }

    @Override
    public StageSpec spec() {
        return spec;
    }

    @Override
    public boolean cacheable() {
        return true;
    }

    @Override
    public Uni<List<StageResult>> run(List<Carry> inputs, PipelineEngine engine) {
        List<StageResult> results = new ArrayList<>(inputs.size());
        for (Carry carry : inputs) {
            int[] ids = StageTokens.of(engine.text(), carry.text());
            results.add(StageResult.of(new StageOutputs.Tokens(ids, ids.length)));
        }
        return Uni.createFrom().item(results);
    }
}
