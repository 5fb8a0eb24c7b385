package io.starling.batch;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.starling.api.error.ApiException;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.ModelText;
import io.starling.engine.Scheduler;
import io.starling.registry.ModelSpec;

/**
 * The offline job's one model and the scheduler it owns: a body may name it (by the id the server would serve the
 * file under) or no model at all; any other name is refused as the server refuses it (404).
 */
record SchedulerModel(ModelText.Text text, Scheduler scheduler) implements BatchModels, BatchModels.Lease {

    @Override
    public Lease open(String requested) {
        if (requested != null && !requested.isBlank() && !requested.equals(text.model().id())) {
            throw ApiException.modelNotFound(requested);
        }
        return this;
    }

    /** What a server serving this file under the same name answers. */
    @Override
    public String fingerprint() {
        return text.model().id() + "@" + ModelSpec.DEFAULT_VERSION;
    }

    @Override
    public Multi<GenerationEvent> submit(GenerationRequest job) {
        return scheduler.submit(job);
    }

    @Override
    public Uni<float[]> embed(int[] tokens, String tenant) {
        return scheduler.embed(tokens, tenant);
    }

    @Override
    public void close() {
        // the scheduler is the job's for its whole run
    }
}
