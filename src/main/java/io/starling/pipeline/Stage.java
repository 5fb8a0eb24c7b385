package io.starling.pipeline;

import io.smallrye.mutiny.Uni;
import io.starling.engine.ModelText;
import java.util.ArrayList;
import java.util.List;

/** A stage at work: all inputs of a request at once, one result per input in their order. */
interface Stage {

    Uni<List<StageResult>> run(List<Carry> inputs, PipelineEngine engine);

    /** A stage that needs no engine work: each input on its own, on the caller's thread. */
    interface EachInput extends Stage {

        StageResult apply(Carry carry, ModelText.Text text);

        @Override
        default Uni<List<StageResult>> run(List<Carry> inputs, PipelineEngine engine) {
            List<StageResult> results = new ArrayList<>(inputs.size());
            for (Carry carry : inputs) {
                results.add(apply(carry, engine.text()));
            }
            return Uni.createFrom().item(results);
        }
    }
}
