package io.starling.api.pipeline;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.starling.api.inference.MeteredEngine;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.ModelText;
import io.starling.pipeline.PipelineEngine;
import io.starling.registry.ModelDeployment;
import java.util.ArrayList;
import java.util.List;

/**
 * The model version a pipeline request was routed to, metered like every other request (token allowance, usage in
 * the access log). A stage's jobs are submitted together; only when there are more than the engine's queue holds
 * do they go in consecutive waves of a full queue each, rather than being refused with 429 all at once.
 */
final class ServedPipelineEngine implements PipelineEngine {

    private final ModelText.Text text;
    private final ModelDeployment deployment;
    private final MeteredEngine.Metered engine;

    ServedPipelineEngine(ModelText.Text text, ModelDeployment deployment, MeteredEngine.Metered engine) {
        this.text = text;
        this.deployment = deployment;
        this.engine = engine;
    }

    @Override
    public ModelText.Text text() {
        return text;
    }

    @Override
    public String modelName() {
        return deployment.name();
    }

    @Override
    public String modelVersion() {
        return deployment.id();
    }

    @Override
    public Uni<List<List<GenerationEvent>>> generateAll(List<GenerationRequest> jobs) {
        int wave = Math.max(1, engine.maxQueueDepth());
        Uni<List<List<GenerationEvent>>> done = Uni.createFrom().item(List.of());
        for (int from = 0; from < jobs.size(); from += wave) {
            List<GenerationRequest> part = jobs.subList(from, Math.min(jobs.size(), from + wave));
            done = done.flatMap(before -> submit(part).map(after -> {
                List<List<GenerationEvent>> all = new ArrayList<>(before);
                all.addAll(after);
                return all;
            }));
        }
        return done;
    }

    private Uni<List<List<GenerationEvent>>> submit(List<GenerationRequest> jobs) {
        List<Uni<List<GenerationEvent>>> running = engine.submitAll(jobs).stream()
                .map(events -> events.collect().asList()).toList();
        return Uni.join().all(running).andFailFast();
    }

    @Override
    public Uni<List<float[]>> embedAll(List<int[]> inputs) {
        return engine.embedAll(inputs);
    }
}
