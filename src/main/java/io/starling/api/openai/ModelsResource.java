package io.starling.api.openai;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.starling.api.error.ApiException;
import io.starling.engine.ModelText;
import io.starling.registry.ServedModel;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}}: the served model, as OpenAI lists models. */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    /** One model: {@code created} is when the file was last modified, the closest thing a GGUF has to a date. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Model(String id, String object, long created, String ownedBy) {
    }

    public record ModelList(String object, List<Model> data) {
    }

    private final ModelText modelText;

    ModelsResource(ModelText modelText) {
        this.modelText = modelText;
    }

    @GET
    public ModelList list() {
        return new ModelList("list", List.of(describe(modelText.get().model())));
    }

    @GET
    @Path("{id}")
    public Model get(@PathParam("id") String id) {
        ServedModel served = modelText.get().model();
        if (!served.id().equals(id)) {
            throw ApiException.modelNotFound(id);
        }
        return describe(served);
    }

    private static Model describe(ServedModel model) {
        long created;
        try {
            created = java.nio.file.Files.getLastModifiedTime(model.path()).toMillis() / 1000;
        } catch (java.io.IOException e) {
            created = 0;
        }
        return new Model(model.id(), "model", created, "starling");
    }
}
