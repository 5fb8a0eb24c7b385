package io.starling.batch;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.starling.api.inference.RequestPrelude;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.ModelText;
import io.starling.registry.ModelDeployment;
import io.starling.registry.ModelRegistry;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The server's models for batch requests: a line's {@code model} is routed like an interactive request's (by name,
 * {@code name@version}, or the default), the version is held while the request runs (a drain waits for it), and
 * its work runs at background priority.
 */
final class RegistryModels implements BatchModels {

    private final ModelRegistry registry;

    RegistryModels(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Lease open(String requested) {
        ModelDeployment deployment = registry.route(RequestPrelude.modelName(registry, requested));
        AtomicBoolean released = new AtomicBoolean();
        return new Lease() {
            @Override
            public ModelText.Text text() {
                return deployment.text();
            }

            @Override
            public String fingerprint() {
                return deployment.id();
            }

            @Override
            public Multi<GenerationEvent> submit(GenerationRequest job) {
                return deployment.engine().submitBackground(job);
            }

            @Override
            public Uni<float[]> embed(int[] tokens, String tenant) {
                return deployment.engine().embedBackground(tokens, tenant);
            }

            @Override
            public void close() {
                if (released.compareAndSet(false, true)) {
                    registry.release(deployment);
                }
            }
        };
    }
}
