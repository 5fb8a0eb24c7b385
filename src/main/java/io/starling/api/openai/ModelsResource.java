package io.starling.api.openai;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.starling.api.error.ApiException;
import io.starling.registry.DeploymentState;
import io.starling.registry.ModelDeployment;
import io.starling.registry.ModelRegistry;
import io.starling.registry.ServedModel;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}}, as OpenAI lists models: every name with a ready version
 * (a request for it is routed by the traffic weights), then each ready version pinned as {@code name@version}.
 */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    /** One model: {@code created} is when the file was last modified, the closest thing a GGUF has to a date. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Model(String id, String object, long created, String ownedBy) {
    }

    public record ModelList(String object, List<Model> data) {
    }

    private final ModelRegistry registry;

    ModelsResource(ModelRegistry registry) {
        this.registry = registry;
    }

    @GET
    public ModelList list() {
        return new ModelList("list", List.copyOf(servable().values()));
    }

    @GET
    @Path("{id}")
    public Model get(@PathParam("id") String id) {
        Model model = servable().get(id);
        if (model == null) {
            throw ApiException.modelNotFound(id);
        }
        return model;
    }

    /** Names first (dated by their newest ready version), then pinned versions; by id. */
    private Map<String, Model> servable() {
        Map<String, Model> names = new LinkedHashMap<>();
        List<Model> pinned = new ArrayList<>();
        for (ModelDeployment d : registry.all()) {
            if (d.state() != DeploymentState.READY || d.model().isEmpty()) {
                continue;
            }
            long created = created(d.model().get());
            names.merge(d.name(), new Model(d.name(), "model", created, "starling"),
                    (a, b) -> a.created() >= b.created() ? a : b);
            pinned.add(new Model(d.id(), "model", created, "starling"));
        }
        Map<String, Model> all = new LinkedHashMap<>(names);
        pinned.forEach(m -> all.put(m.id(), m));
        return all;
    }

    private static long created(ServedModel model) {
        try {
            return Files.getLastModifiedTime(model.path()).toMillis() / 1000;
        } catch (IOException e) {
            return 0;
        }
    }
}
