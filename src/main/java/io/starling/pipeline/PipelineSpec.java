package io.starling.pipeline;

import java.util.List;

/**
 * A named pipeline: the model it runs on (null: the server's default model) and its stages in order.
 * Each stage reads what the one before it left in the {@link Carry}.
 */
public record PipelineSpec(String name, String model, List<StageSpec> stages) {

    public PipelineSpec {
        stages = List.copyOf(stages);
    }

    /** Whether a stage of this name is part of the pipeline. */
    public boolean has(String stage) {
        return stages.stream().anyMatch(s -> s.name().equals(stage));
    }

    /** The stage names, in order. */
    public List<String> stageNames() {
        return stages.stream().map(StageSpec::name).toList();
    }
}
