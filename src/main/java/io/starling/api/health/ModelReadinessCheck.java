package io.starling.api.health;

import io.starling.registry.ModelRegistry;
import io.starling.registry.ServedModel;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the model is mapped and validated: before that, a load balancer must not send traffic. */
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
        return registry.served()
                .map(model -> describe(response, model).up())
                .orElseGet(() -> response.down())
                .build();
    }

    private static HealthCheckResponseBuilder describe(HealthCheckResponseBuilder response, ServedModel model) {
        return response.withData("id", model.id())
                .withData("file", model.path().toString())
                .withData("architecture", model.shape().architecture());
    }
}
