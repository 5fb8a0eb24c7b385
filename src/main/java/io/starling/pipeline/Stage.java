package io.starling.pipeline;

import io.smallrye.mutiny.Uni;
import java.util.List;

/** A stage at work: all inputs of a request at once, one result per input in their order. */
interface Stage {

    StageSpec spec();

    /**
     * Whether results are cached: the same model version, definition and carry always give the same result
     * (tokenize, embed, classify, greedy generate, extract). Postprocess is deterministic too, but a lookup would
     * cost more than it does.
     */
    boolean cacheable();

    Uni<List<StageResult>> run(List<Carry> inputs, PipelineEngine engine);
}
