package io.starling.api.openai;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.starling.api.inference.MeteredEngine;
import io.starling.api.inference.RequestPrelude;
import io.starling.api.openai.EmbeddingResponses.EmbeddingList;
import io.starling.engine.ModelText;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code POST /v1/embeddings}: the mean-pooled, unit-length final hidden state of each input (see
 * {@code LlamaModel.embed}), computed on the engine thread one input after another.
 */
@Path("/v1/embeddings")
public class EmbeddingsResource {

    private final RequestPrelude prelude;
    private final MeteredEngine engine;

    EmbeddingsResource(RequestPrelude prelude, MeteredEngine engine) {
        this.prelude = prelude;
        this.engine = engine;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<EmbeddingList> create(EmbeddingRequest request) {
        ModelText.Text text = prelude.open(request, EmbeddingRequest::model);
        EmbeddingJob job = EmbeddingJob.of(text, request);
        return engine.embedAll(job.inputs()).map(job::body);
    }
}
