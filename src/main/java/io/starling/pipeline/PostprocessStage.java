package io.starling.pipeline;

import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code postprocess}: the classification made final. The label is renamed as configured, and a confidence under
 * the threshold answers the fallback label instead (the confidence stays the classifier's). Pure arithmetic on the
 * carry, so it is never cached: looking it up would cost more than computing it.
 */
final class PostprocessStage implements Stage {

    private final StageSpec.Postprocess spec;

    PostprocessStage(StageSpec.Postprocess spec) {
        this.spec = spec;
    }

    @Override
    public StageSpec spec() {
        return spec;
    }

    @Override
    public boolean cacheable() {
        return false;
    }

    @Override
    public Uni<List<StageResult>> run(List<Carry> inputs, PipelineEngine engine) {
        List<StageResult> results = new ArrayList<>(inputs.size());
        for (Carry carry : inputs) {
            Classification classified = carry.classification();
            String label = classified.confidence() < spec.minConfidence() ? spec.fallbackLabel()
                    : spec.rename().getOrDefault(classified.label(), classified.label());
            Classification result = new Classification(label, classified.confidence(), classified.scores());
            results.add(new StageResult(new StageOutputs.Postprocessed(label, classified.confidence(), classified.label()),
                    label, null, result, 0, 0));
        }
        return Uni.createFrom().item(results);
    }
}
