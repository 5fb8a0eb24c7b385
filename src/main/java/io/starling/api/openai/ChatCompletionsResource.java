package io.starling.api.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.starling.api.inference.HttpStreams;
import io.starling.api.inference.MeteredEngine;
import io.starling.api.inference.RequestPrelude;
import io.starling.engine.GenerationEvent;
import io.starling.engine.ModelText;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * {@code POST /v1/chat/completions}: the conversation goes through the model's chat template (ChatML when the model
 * has none), then to the engine. The method runs on a worker thread ({@link Blocking}) because rendering and
 * tokenizing a long conversation is real work; the model itself only runs on the engine thread.
 */
@Path("/v1/chat/completions")
public class ChatCompletionsResource {

    private final RequestPrelude prelude;
    private final MeteredEngine engine;
    private final ObjectMapper mapper;

    ChatCompletionsResource(RequestPrelude prelude, MeteredEngine engine, ObjectMapper mapper) {
        this.prelude = prelude;
        this.engine = engine;
        this.mapper = mapper;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    public RestMulti<String> create(ChatCompletionRequest request) {
        ModelText.Text text = prelude.open(request, ChatCompletionRequest::model);
        ChatCompletionJob job = ChatCompletionJob.of(text, prelude.deployment().id(), request);
        ChatAssembler assembler = job.assembler();
        Multi<GenerationEvent> events = engine.submit(job.generation());
        if (!request.streaming()) {
            return HttpStreams.json(events.collect().asList()
                    .map(all -> HttpStreams.write(mapper, job.body(all))));
        }
        boolean usage = request.includeUsage();
        Multi<String> chunks = Multi.createBy().concatenating().streams(
                Multi.createFrom().iterable(assembler.opening()),
                events.onItem().transformToIterable(event -> assembler.chunks(event, usage)))
                .map(chunk -> HttpStreams.write(mapper, chunk));
        return HttpStreams.sse(chunks, mapper, true);
    }
}
