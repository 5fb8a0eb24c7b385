package io.starling.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.starling.api.error.ApiException;
import io.starling.api.inference.Prompts;
import io.starling.api.inference.StopField;
import io.starling.api.inference.TokenBudget;
import io.starling.api.inference.UnsupportedFields;
import io.starling.engine.GenerationEvent;
import io.starling.engine.GenerationRequest;
import io.starling.engine.ModelText;
import io.starling.sampling.SamplerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * A legacy completion request checked and turned into one engine job per prompt, with the assembler that turns
 * their events into the response. Framework-free, so the HTTP resource and offline batch jobs answer alike.
 */
public final class CompletionJob {

    /** OpenAI's default when max_tokens is absent. */
    static final int DEFAULT_MAX_TOKENS = 16;

    private final List<GenerationRequest> generations;
    private final List<String> promptTexts;
    private final CompletionAssembler assembler;
    private final boolean scoresPrompt;

    private CompletionJob(List<GenerationRequest> generations, List<String> promptTexts, CompletionAssembler assembler,
                          boolean scoresPrompt) {
        this.generations = generations;
        this.promptTexts = promptTexts;
        this.assembler = assembler;
        this.scoresPrompt = scoresPrompt;
    }

    /**
     * Validates {@code request} against the model ({@link ApiException} on a bad field) and tokenizes its prompts.
     *
     * @param fingerprint the {@code system_fingerprint} of the answer: {@code name@version} of the model version
     */
    public static CompletionJob of(ModelText.Text text, String fingerprint, CompletionRequest request) {
        UnsupportedFields.reject("suffix", request.suffix(), "insertion (suffix) is not implemented");
        UnsupportedFields.rejectUnlessEmptyObject("logit_bias", request.logitBias(), "logit bias is not implemented");
        int n = ChatCompletionJob.choices(request.n());
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
        CompletionAssembler assembler = new CompletionAssembler(text.model().id(), fingerprint, text.tokenizer(), n,
                sampling.logprobs(), echo);
        return new CompletionJob(List.copyOf(jobs), promptTexts, assembler, scorePrompt >= 0);
    }

    /** What the engine runs: one job per prompt, in the prompts' order. */
    public List<GenerationRequest> generations() {
        return generations;
    }

    /** The {@code text_completion} body; {@code eventsPerPrompt.get(p)} are the events of prompt {@code p}'s job. */
    public CompletionResponses.Completion body(List<List<GenerationEvent>> eventsPerPrompt) {
        return assembler.complete(promptTexts, eventsPerPrompt);
    }

    CompletionAssembler assembler() {
        return assembler;
    }

    List<String> promptTexts() {
        return promptTexts;
    }

    /** Whether the prompt is scored (echo with logprobs), so a stream's echo comes from the scores. */
    boolean scoresPrompt() {
        return scoresPrompt;
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
