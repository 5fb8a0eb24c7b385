package io.starling.api.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
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
import org.jboss.resteasy.reactive.RestMulti;

/**
 * {@code POST /v1/chat/completions}: the conversation goes through the model's chat template (ChatML when the model
 * has none), then to the engine. The method runs on a worker thread ({@link Blocking}) because rendering and
 * tokenizing a long conversation is real work; the model itself only runs on the engine thread.
 */
@Path("/v1/chat/completions")
public class ChatCompletionsResource {

    /** More parallel choices than this is refused: each choice is a sequence of the batch. */
    static final int MAX_N = 16;

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
        rejectUnsupported(request);
        int n = choices(request.n());
        SamplerConfig sampling = request.sampling().toConfig();
        var stops = StopField.parse(request.stop());
        String rendered = text.chatTemplate().render(ChatMessages.from(request.messages()), true);
        int[] prompt = Prompts.chat(text, rendered);
        boolean both = request.maxTokens() != null && request.maxCompletionTokens() != null;
        Integer requested = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
        String maxParam = request.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens";
        if (both && !request.maxTokens().equals(request.maxCompletionTokens())) {
            throw ApiException.invalid("max_tokens", "max_tokens and max_completion_tokens disagree; send one of them");
        }
        int maxTokens = TokenBudget.maxTokens(requested, maxParam, "messages", prompt.length, text.contextLength(), -1);

        ChatAssembler assembler = new ChatAssembler(text.model().id(), prelude.deployment().id(), text.tokenizer(), n, sampling.logprobs());
        Multi<GenerationEvent> events = engine.submit(new GenerationRequest(prompt, sampling, maxTokens, n, stops, -1));
        if (!request.streaming()) {
            return HttpStreams.json(events.collect().asList()
                    .map(all -> HttpStreams.write(mapper, assembler.complete(all))));
        }
        boolean usage = request.includeUsage();
        Multi<String> chunks = Multi.createBy().concatenating().streams(
                Multi.createFrom().iterable(assembler.opening()),
                events.onItem().transformToIterable(event -> assembler.chunks(event, usage)))
                .map(chunk -> HttpStreams.write(mapper, chunk));
        return HttpStreams.sse(chunks, mapper, true);
    }

    static int choices(Integer n) {
        if (n == null) {
            return 1;
        }
        if (n < 1 || n > MAX_N) {
            throw ApiException.invalid("n", "n must be between 1 and " + MAX_N + ", got " + n);
        }
        return n;
    }

    private static void rejectUnsupported(ChatCompletionRequest r) {
        UnsupportedFields.reject("tools", r.tools(), "tool calling is not implemented");
        UnsupportedFields.toolChoice(r.toolChoice());
        UnsupportedFields.reject("functions", r.functions(), "function calling is not implemented");
        UnsupportedFields.reject("function_call", r.functionCall(), "function calling is not implemented");
        UnsupportedFields.responseFormat(r.responseFormat());
        UnsupportedFields.rejectUnlessEmptyObject("logit_bias", r.logitBias(), "logit bias is not implemented");
        UnsupportedFields.reject("audio", r.audio(), "this server runs text-only models");
        UnsupportedFields.reject("prediction", r.prediction(), "predicted outputs are not implemented");
    }
}
