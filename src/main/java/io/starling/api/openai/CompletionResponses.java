package io.starling.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/** The wire shapes of legacy completions, including their column-wise logprobs. */
public final class CompletionResponses {

    private CompletionResponses() {
    }

    /** Used for the whole response and for stream chunks alike (OpenAI uses the same object type for both). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Completion(String id, String object, long created, String model, String systemFingerprint,
                             List<Choice> choices, @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Choice(String text, int index, Logprobs logprobs, String finishReason) {
    }

    /**
     * Legacy logprobs: parallel lists per token. The first prompt token of an echo has null logprob and null
     * alternatives: nothing precedes it.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Logprobs(List<String> tokens, List<Float> tokenLogprobs, List<Map<String, Float>> topLogprobs,
                           List<Integer> textOffset) {
    }
}
