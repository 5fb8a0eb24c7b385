package io.starling.api.health;

import io.starling.engine.InferenceEngine;
import io.starling.registry.DeploymentState;
import io.starling.registry.ModelDeployment;
import io.starling.registry.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while every serving version's engine queue is full: every new request would be refused with 429, so a
 * load balancer should send it elsewhere until a queue drains. (A depth of 0, which refuses everything, is for
 * tests.)
 */
@Readiness
@ApplicationScoped
public class EngineReadinessCheck implements HealthCheck {

    private final ModelRegistry registry;

    EngineReadinessCheck(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("engine");
        boolean anyRoom = false;
        boolean anyServing = false;
        int total = 0;
        for (ModelDeployment d : registry.all()) {
            InferenceEngine engine = d.engine();
            if (d.state() != DeploymentState.READY || engine == null) {
                continue;
            }
            anyServing = true;
            int depth = engine.queueDepth();
            response.withData(d.id() + " queue_depth", depth).withData(d.id() + " max_queue_depth", engine.maxQueueDepth());
            total += depth;
            anyRoom |= depth < engine.maxQueueDepth() || engine.maxQueueDepth() == 0;
        }
        return response.withData("queue_depth", total).status(anyRoom || !anyServing).build();
    }
}
