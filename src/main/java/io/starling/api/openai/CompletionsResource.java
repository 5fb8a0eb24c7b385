package io.starling.api.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.starling.api.error.ApiException;
import io.starling.api.inference.HttpStreams;
import io.starling.api.inference.MeteredEngine;
import io.starling.api.inference.RequestPrelude;
import io.starling.engine.GenerationEvent;
import io.starling.engine.ModelText;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * {@code POST /v1/completions} (legacy): raw prompts, {@code echo}, and int {@code logprobs} which with echo also
 * scores the prompt, the way perplexity is measured over HTTP.
 */
@Path("/v1/completions")
public class CompletionsResource {

    private final RequestPrelude prelude;
    private final MeteredEngine engine;
    private final ObjectMapper mapper;

    CompletionsResource(RequestPrelude prelude, MeteredEngine engine, ObjectMapper mapper) {
        this.prelude = prelude;
        this.engine = engine;
        this.mapper = mapper;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    public RestMulti<String> create(CompletionRequest request) {
        ModelText.Text text = prelude.open(request, CompletionRequest::model);
        CompletionJob job = CompletionJob.of(text, prelude.deployment().id(), request);
        int prompts = job.generations().size();
        int queued = prelude.deployment().engine().maxQueueDepth();
        if (prompts > Math.max(1, queued)) {
            // each prompt waits in the engine's queue as a request of its own: more than it holds could never be
            // admitted, and a 429 would send clients into retrying what cannot succeed
            throw ApiException.invalid("prompt", "at most " + queued + " prompts per request on this server"
                    + " (starling.scheduler.max-queue-depth), got " + prompts);
        }
        List<Multi<GenerationEvent>> submitted = engine.submitAll(job.generations());
        CompletionAssembler assembler = job.assembler();
        List<String> promptTexts = job.promptTexts();
        boolean echo = request.echoes();
        if (!request.streaming()) {
            List<Uni<List<GenerationEvent>>> collected = submitted.stream().map(m -> m.collect().asList()).toList();
            return HttpStreams.json(Uni.join().all(collected).andFailFast()
                    .map(all -> HttpStreams.write(mapper, job.body(all))));
        }
        CompletionAssembler.StreamUsage usage = new CompletionAssembler.StreamUsage();
        List<Multi<CompletionResponses.Completion>> parts = new ArrayList<>();
        for (int p = 0; p < submitted.size(); p++) {
            CompletionAssembler.Stream stream = assembler.new Stream(p, promptTexts.get(p), usage);
            if (echo && !job.scoresPrompt()) {
                parts.add(Multi.createFrom().iterable(stream.echoText()));
            }
            parts.add(submitted.get(p).onItem().transformToIterable(stream::chunks));
        }
        if (request.includeUsage()) {
            parts.add(Multi.createFrom().item(() -> assembler.usageChunk(usage)));
        }
        Multi<String> chunks = Multi.createBy().concatenating().streams(parts).map(c -> HttpStreams.write(mapper, c));
        return HttpStreams.sse(chunks, mapper, true);
    }
}
