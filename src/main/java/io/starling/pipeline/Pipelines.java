package io.starling.pipeline;

import io.smallrye.mutiny.Uni;
import io.starling.api.error.ApiException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configured pipelines of a server or a batch job, and what their runs share: the stage result cache, the
 * meters, the prediction monitor and the tracer.
 */
public final class Pipelines {

    private final Map<String, Pipeline> byName = new LinkedHashMap<>();
    private final Pipeline.Services services;

    public Pipelines(Map<String, PipelineSpec> specs, StageCache cache, PipelineMetrics metrics,
                     PredictionListener predictions, StageTracer tracer) {
        specs.forEach((name, spec) -> byName.put(name, new Pipeline(spec)));
        this.services = new Pipeline.Services(cache, metrics, predictions, tracer);
    }

    /** The pipeline called {@code name}, or 404 naming the ones there are. */
    public Pipeline get(String name) {
        Pipeline pipeline = byName.get(name);
        if (pipeline == null) {
            throw new ApiException(404, "invalid_request_error", null, "pipeline_not_found", "The pipeline '" + name
                    + "' does not exist" + (byName.isEmpty() ? "; this server defines none (see starling.pipelines.*)"
                    : "; defined: " + String.join(", ", byName.keySet())));
        }
        return pipeline;
    }

    public Collection<Pipeline> all() {
        return byName.values();
    }

    /** Runs {@code pipeline} on the request's inputs; bad input fails with {@link ApiException}. */
    public Uni<PipelineResult> run(Pipeline pipeline, PipelineRequest request, PipelineEngine engine) {
        return Uni.createFrom().deferred(() -> pipeline.run(request, engine, services));
    }
}
