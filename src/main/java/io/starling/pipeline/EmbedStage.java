package io.starling.pipeline;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;

/** {@code embed}: the text's embedding (as {@code /v1/embeddings}), kept in the carry for the next stages. */
final class EmbedStage implements Stage {

    @Override
    public Uni<List<StageResult>> run(List<Carry> inputs, PipelineEngine engine) {
        List<int[]> ids = new ArrayList<>(inputs.size());
        for (Carry carry : inputs) {
            ids.add(StageTokens.prompt(engine.text(), carry.text(), 0, "embed"));
        }
        return engine.embedAll(ids).map(vectors -> {
            List<StageResult> results = new ArrayList<>(vectors.size());
            for (int i = 0; i < vectors.size(); i++) {
                float[] vector = vectors.get(i);
                results.add(new StageResult(new StageOutputs.Embedding(vector), null, vector, null, ids.get(i).length, 0));
            }
            return results;
        });
    }
}
