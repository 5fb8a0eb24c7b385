package io.starling.api.admin;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.smallrye.common.annotation.Blocking;
import io.starling.api.error.ApiException;
import io.starling.config.StarlingConfig;
import io.starling.registry.ModelDeployment;
import io.starling.registry.ModelRegistry;
import io.starling.registry.ModelSpec;
import io.starling.registry.ModelSpecs;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The admin API of the model registry ({@code /admin/models}, guarded by admin keys in
 * {@link io.starling.security.AdminAccessFilter}): list, deploy, undeploy, hot-reload and split traffic between
 * versions. Changes that load or drain answer 202 at once; {@code GET} shows the states moving.
 */
@Path("/admin/models")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AdminModelsResource {

    /**
     * A version to deploy. {@code weight} absent: 100 for a name's first version, 0 (pinned requests only, until
     * {@code PUT .../traffic}) for a further one, so a canary gets no traffic by surprise.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DeployRequest(String name, String version, String source, String sha256, Integer weight,
                                Integer maxBatchSize, Integer maxSessions, Double kvCacheMb) {
    }

    /** A hot reload: the new version's source (default: the newest version's) and label (default: the next number). */
    public record ReloadRequest(String source, String sha256, String version) {
    }

    private final ModelRegistry registry;
    private final StarlingConfig config;

    AdminModelsResource(ModelRegistry registry, StarlingConfig config) {
        this.registry = registry;
        this.config = config;
    }

    @GET
    public AdminViews.ModelList list() {
        return AdminViews.list(registry);
    }

    @POST
    @Blocking
    public Response deploy(DeployRequest request) {
        if (request == null) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
        String name = required("name", request.name());
        String source = required("source", request.source());
        int weight = request.weight() != null ? request.weight() : registry.weights(name).isEmpty() ? 100 : 0;
        String version = request.version() != null ? request.version() : registry.nextVersion(name);
        ModelSpec spec = spec(() -> new ModelSpec(name, version, source, Optional.ofNullable(request.sha256()), weight,
                ModelSpecs.scheduler(config, Optional.ofNullable(request.maxBatchSize())),
                ModelSpecs.kv(config, Optional.ofNullable(request.kvCacheMb()), Optional.empty(),
                        Optional.ofNullable(request.maxSessions()))));
        ModelDeployment deployment = registry.deploy(spec, true);
        return Response.accepted(AdminViews.of(deployment, registry)).build();
    }

    @DELETE
    @Path("{name}")
    public Response undeploy(@PathParam("name") String name) {
        return accepted(registry.undeploy(name, Optional.empty()));
    }

    @DELETE
    @Path("{name}/versions/{version}")
    public Response undeploy(@PathParam("name") String name, @PathParam("version") String version) {
        return accepted(registry.undeploy(name, Optional.of(version)));
    }

    @POST
    @Path("{name}/reload")
    @Blocking
    public Response reload(@PathParam("name") String name, ReloadRequest request) {
        ReloadRequest r = request != null ? request : new ReloadRequest(null, null, null);
        ModelDeployment fresh = spec(() -> registry.reload(name, Optional.ofNullable(r.source()),
                Optional.ofNullable(r.sha256()), Optional.ofNullable(r.version())));
        return Response.accepted(AdminViews.of(fresh, registry)).build();
    }

    @PUT
    @Path("{name}/traffic")
    public Map<String, Object> traffic(@PathParam("name") String name, Map<String, Integer> split) {
        if (split == null || split.isEmpty()) {
            throw ApiException.invalid(null, "send the split as a JSON object of version to weight, e.g. {\"1\": 90, \"2\": 10}");
        }
        spec(() -> {
            registry.traffic(name, split);
            return null;
        });
        return Map.of("name", name, "weights", registry.weights(name));
    }

    private Response accepted(List<ModelDeployment> removed) {
        return Response.accepted(new AdminViews.ModelList("list",
                removed.stream().map(d -> AdminViews.of(d, registry)).toList(), null)).build();
    }

    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalid(field, "'" + field + "' is required");
        }
        return value;
    }

    /** Runs a change whose invalid input the registry reports as IllegalArgumentException: 400 with its message. */
    private static <T> T spec(java.util.function.Supplier<T> change) {
        try {
            return change.get();
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(null, e.getMessage());
        }
    }
}
