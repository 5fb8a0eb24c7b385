package io.starling.api.health;

import io.starling.registry.DeploymentState;
import io.starling.registry.ModelDeployment;
import io.starling.registry.ModelRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the configured models are mapped and validated and some version serves: before that, a load balancer
 * must not send traffic. The data lists each version's state.
 */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {

    private final ModelRegistry registry;

    ModelReadinessCheck(ModelRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("model");
        for (ModelDeployment d : registry.all()) {
            response.withData(d.id(), d.state().wireName());
            if (d.state() == DeploymentState.READY) {
                d.model().ifPresent(m -> response.withData(d.id() + " file", m.path().toString())
                        .withData(d.id() + " architecture", m.shape().architecture()));
            }
        }
        return response.status(registry.ready()).build();
    }
}
