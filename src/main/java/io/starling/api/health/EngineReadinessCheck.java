package io.starling.api.health;

import io.starling.engine.InferenceEngine;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the engine queue is full: every new request would be refused with 429, so a load balancer
 * should send it elsewhere until the queue drains. (A depth of 0, which refuses everything, is for tests.)
 */
@Readiness
@ApplicationScoped
public class EngineReadinessCheck implements HealthCheck {

    private final InferenceEngine engine;

    EngineReadinessCheck(InferenceEngine engine) {
        this.engine = engine;
    }

    @Override
    public HealthCheckResponse call() {
        int depth = engine.queueDepth();
        return HealthCheckResponse.named("engine")
                .withData("queue_depth", depth)
                .withData("max_queue_depth", engine.maxQueueDepth())
                .status(depth < engine.maxQueueDepth() || engine.maxQueueDepth() == 0)
                .build();
    }
}
