package io.starling.pipeline;

import io.smallrye.mutiny.Uni;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.ModelText;
import java.util.List;

/**
 * The engine a pipeline runs on, as the server (metered, routed to one model version) or a batch job (its own
 * scheduler) offers it. Stages hand it all the work of one request at once, so it reaches the continuous-batching
 * scheduler together.
 */
public interface PipelineEngine {

    /** The model's tokenizer and context. */
    ModelText.Text text();

    /** The model's name, as metrics and the prediction monitor label it. */
    String modelName();

    /** The exact model version, {@code name@version}: part of every cache key, so versions never share results. */
    String modelVersion();

    /** Every job's events, in the jobs' order; the jobs are submitted together. */
    Uni<List<List<GenerationEvent>>> generateAll(List<GenerationRequest> jobs);

    /** The embedding of every token sequence, in order. */
    Uni<List<float[]>> embedAll(List<int[]> inputs);
}
