package io.starling.pipeline;

import io.starling.engine.ModelText;

/**
 * {@code postprocess}: the classification made final. The label is renamed as configured, and a confidence under
 * the threshold answers the fallback label instead (the confidence stays the classifier's).
 */
final class PostprocessStage implements Stage.EachInput {

    private final StageSpec.Postprocess spec;

    PostprocessStage(StageSpec.Postprocess spec) {
        this.spec = spec;
    }

    @Override
    public StageResult apply(Carry carry, ModelText.Text text) {
        Classification classified = carry.classification();
        String label = classified.confidence() < spec.minConfidence() ? spec.fallbackLabel()
                : spec.rename().getOrDefault(classified.label(), classified.label());
        Classification result = new Classification(label, classified.confidence(), classified.scores());
        return new StageResult(new StageOutputs.Postprocessed(label, classified.confidence(), classified.label()),
                label, null, result, 0, 0);
    }
}
