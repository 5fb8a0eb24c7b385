package io.starling.batch;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.ModelText;

/**
 * Where the requests of a batch run: the model a line's body names, with the engine that serves it. The offline
 * job has one model file and its own scheduler; the server routes each line through its model registry like an
 * interactive request, at background priority.
 */
public interface BatchModels {

    /**
     * The model {@code requested} names (null or blank: the default model), held for one request until the lease
     * is closed.
     *
     * @throws RuntimeException what the server answers for such a name (404 model_not_found, 503 ...), through
     *                          {@link io.starling.api.error.ApiErrors}
     */
    Lease open(String requested);

    /** One request's hold on a model. */
    interface Lease extends AutoCloseable {

        ModelText.Text text();

        /** What the server answers as {@code system_fingerprint}: {@code name@version}. */
        String fingerprint();

        Multi<GenerationEvent> submit(GenerationRequest job);

        Uni<float[]> embed(int[] tokens, String tenant);

        /** The request has ended: the model may be unloaded or drained. */
        @Override
        void close();
    }
}
