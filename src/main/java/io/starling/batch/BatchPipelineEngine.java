package io.starling.batch;

import io.smallrye.mutiny.Uni;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.ModelText;
import io.starling.pipeline.PipelineEngine;
import java.util.List;
import java.util.function.Function;

/**
 * The batch job's model as a pipeline runs on it: every job and embedding of a stage is handed to the scheduler at
 * once, each retried like the job's other requests while the engine is only momentarily full.
 *
 * @param version  the model version, as the server serving this file would name it ({@code name@version})
 * @param generate one job's events, retried while the engine is momentarily full
 * @param embed    one embedding, retried alike
 */
record BatchPipelineEngine(ModelText.Text text, String version,
                           Function<GenerationRequest, Uni<List<GenerationEvent>>> generate,
                           Function<int[], Uni<float[]>> embed) implements PipelineEngine {

    @Override
    public String modelName() {
        return text.model().id();
    }

    @Override
    public String modelVersion() {
        return version;
    }

    @Override
    public Uni<List<List<GenerationEvent>>> generateAll(List<GenerationRequest> jobs) {
        return Uni.join().all(jobs.stream().map(generate).toList()).andFailFast();
    }

    @Override
    public Uni<List<float[]>> embedAll(List<int[]> inputs) {
        return Uni.join().all(inputs.stream().map(embed).toList()).andFailFast();
    }
}
