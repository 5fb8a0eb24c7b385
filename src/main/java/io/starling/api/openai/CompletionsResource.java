package io.starling.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.starling.api.error.ApiException;
import io.starling.api.inference.HttpStreams;
import io.starling.api.inference.Prompts;
import io.starling.api.inference.MeteredEngine;
import io.starling.api.inference.RequestPrelude;
import io.starling.api.inference.StopField;
import io.starling.api.inference.TokenBudget;
import io.starling.api.inference.UnsupportedFields;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.ModelText;
import io.starling.sampling.SamplerConfig;
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

    /** OpenAI's default when max_tokens is absent. */
    static final int DEFAULT_MAX_TOKENS = 16;

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
        UnsupportedFields.reject("suffix", request.suffix(), "insertion (suffix) is not implemented");
        UnsupportedFields.rejectUnlessEmptyObject("logit_bias", request.logitBias(), "logit bias is not implemented");
        int n = ChatCompletionsResource.choices(request.n());
        if (request.bestOf() != null && request.bestOf() != n) {
            throw ApiException.unsupported("best_of", "best_of other than n is not supported yet");
        }
        SamplerConfig sampling = request.sampling().toConfig();
        List<String> stops = StopField.parse(request.stop());
        List<int[]> prompts = Prompts.many(text, request.prompt(), "prompt");
        List<String> promptTexts = promptTexts(text, request.prompt(), prompts);
        boolean echo = request.echoes();
        int scorePrompt = echo && request.logprobs() != null ? request.logprobs() : -1;

        List<GenerationRequest> jobs = new ArrayList<>(prompts.size());
        for (int[] prompt : prompts) {
            int maxTokens = TokenBudget.maxTokens(request.maxTokens(), "max_tokens", "prompt", prompt.length,
                    text.contextLength(), DEFAULT_MAX_TOKENS);
            jobs.add(new GenerationRequest(prompt, sampling, maxTokens, n, stops, scorePrompt));
        }
        List<Multi<GenerationEvent>> submitted = engine.submitAll(jobs);

        CompletionAssembler assembler = new CompletionAssembler(text.model().id(), prelude.deployment().id(), text.tokenizer(), n,
                sampling.logprobs(), echo);
        if (!request.streaming()) {
            List<Uni<List<GenerationEvent>>> collected = submitted.stream().map(m -> m.collect().asList()).toList();
            return HttpStreams.json(Uni.join().all(collected).andFailFast()
                    .map(all -> HttpStreams.write(mapper, assembler.complete(promptTexts, all))));
        }
        CompletionAssembler.StreamUsage usage = new CompletionAssembler.StreamUsage();
        List<Multi<CompletionResponses.Completion>> parts = new ArrayList<>();
        for (int p = 0; p < submitted.size(); p++) {
            CompletionAssembler.Stream stream = assembler.new Stream(p, promptTexts.get(p), usage);
            if (echo && scorePrompt < 0) {
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

    /** What echo repeats: the prompt as sent, or the decoded ids when the prompt was given as tokens. */
    private static List<String> promptTexts(ModelText.Text text, JsonNode node, List<int[]> prompts) {
        List<String> texts = new ArrayList<>(prompts.size());
        for (int p = 0; p < prompts.size(); p++) {
            JsonNode element = node.isTextual() ? node : node.get(0).isIntegralNumber() ? null : node.get(p);
            texts.add(element != null && element.isTextual() ? element.textValue() : text.tokenizer().decode(prompts.get(p)));
        }
        return texts;
    }
}
