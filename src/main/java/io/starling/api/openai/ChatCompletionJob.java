package io.starling.api.openai;

import io.starling.api.error.ApiException;
import io.starling.api.inference.Prompts;
import io.starling.api.inference.StopField;
import io.starling.api.inference.TokenBudget;
import io.starling.api.inference.UnsupportedFields;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.ModelText;
import io.starling.sampling.SamplerConfig;
import java.util.List;

/**
 * A chat completion request checked and turned into the engine's job, with the assembler that turns the job's
 * events into the response. Framework-free, so the HTTP resource and offline batch jobs answer one request alike.
 */
public final class ChatCompletionJob {

    /** More parallel choices than this is refused: each choice is a sequence of the batch. */
    static final int MAX_N = 16;

    private final GenerationRequest generation;
    private final ChatAssembler assembler;

    private ChatCompletionJob(GenerationRequest generation, ChatAssembler assembler) {
        this.generation = generation;
        this.assembler = assembler;
    }

    /**
     * Validates {@code request} against the model ({@link ApiException} on a bad field) and renders its prompt.
     *
     * @param fingerprint the {@code system_fingerprint} of the answer: {@code name@version} of the model version
     */
    public static ChatCompletionJob of(ModelText.Text text, String fingerprint, ChatCompletionRequest request) {
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
        return new ChatCompletionJob(new GenerationRequest(prompt, sampling, maxTokens, n, stops, -1),
                new ChatAssembler(text.model().id(), fingerprint, text.tokenizer(), n, sampling.logprobs()));
    }

    /** What the engine runs. */
    public GenerationRequest generation() {
        return generation;
    }

    /** The {@code chat.completion} body of the job's whole event list. */
    public ChatResponses.ChatCompletion body(List<GenerationEvent> events) {
        return assembler.complete(events);
    }

    ChatAssembler assembler() {
        return assembler;
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
