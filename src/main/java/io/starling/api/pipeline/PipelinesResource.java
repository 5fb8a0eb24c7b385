package io.starling.api.pipeline;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.starling.api.inference.MeteredEngine;
import io.starling.api.inference.RequestPrelude;
import io.starling.engine.ModelText;
import io.starling.pipeline.Pipeline;
import io.starling.pipeline.PipelineRequest;
import io.starling.pipeline.PipelineResult;
import io.starling.pipeline.PipelineSpec;
import io.starling.pipeline.Pipelines;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code GET /v1/pipelines} lists the configured pipelines; {@code POST /v1/pipelines/{name}} runs one on a text or
 * an array of texts. Routed, authenticated, rate-limited and metered like every other model endpoint.
 */
@Path("/v1/pipelines")
public class PipelinesResource {

    /** One pipeline as listed: its name, model (null: the default model) and stages. */
    public record Listed(String id, String object, String model, List<String> stages) {
    }

    public record PipelineList(String object, List<Listed> data) {
    }

    private final Pipelines pipelines;
    private final RequestPrelude prelude;
    private final MeteredEngine engine;

    PipelinesResource(PipelineCatalog catalog, RequestPrelude prelude, MeteredEngine engine) {
        this.pipelines = catalog.pipelines();
        this.prelude = prelude;
        this.engine = engine;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public PipelineList list() {
        return new PipelineList("list", pipelines.all().stream().map(Pipeline::spec)
                .map(spec -> new Listed(spec.name(), "pipeline", spec.model(), spec.stageNames())).toList());
    }

    @POST
    @Path("{name}")
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<PipelineResult> run(@PathParam("name") String name, PipelineRequest request) {
        Pipeline pipeline = pipelines.get(name);
        PipelineSpec spec = pipeline.spec();
        ModelText.Text text = prelude.open(request, ignored -> spec.model());
        return pipelines.run(pipeline, request,
                new ServedPipelineEngine(text, prelude.deployment(), engine.forPipeline()));
    }
}
