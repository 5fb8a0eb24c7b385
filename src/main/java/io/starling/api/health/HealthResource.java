package io.starling.api.health;

import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code /health} and {@code /ready} at the root, the paths load balancers and llama-server users expect. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {

    private final SmallRyeHealthReporter reporter;

    HealthResource(SmallRyeHealthReporter reporter) {
        this.reporter = reporter;
    }

    @GET
    @Path("health")
    public Uni<Response> health() {
        return reporter.getLivenessAsync().map(HealthResource::toResponse);
    }

    @GET
    @Path("ready")
    public Uni<Response> ready() {
        return reporter.getReadinessAsync().map(HealthResource::toResponse);
    }

    private static Response toResponse(SmallRyeHealth health) {
        return Response.status(health.isDown() ? Response.Status.SERVICE_UNAVAILABLE : Response.Status.OK)
                .entity(health.getPayload().toString())
                .build();
    }
}
