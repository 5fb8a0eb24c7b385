package io.starling.api.starling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.starling.api.error.ApiException;
import io.starling.api.inference.SamplingParams;

/**
 * {@code POST /v1/generate}: a prompt as text or token ids, the sampling fields of the OpenAI endpoints, and
 * {@code stream} (default true: this is the token-streaming endpoint).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record GenerateRequest(
        String model,
        String prompt,
        JsonNode tokens,
        String sessionId,
        Integer maxTokens,
        Double temperature,
        Double topP,
        Integer topK,
        Double repetitionPenalty,
        Double presencePenalty,
        Double frequencyPenalty,
        Long seed,
        JsonNode stop,
        Boolean logprobs,
        Integer topLogprobs,
        Boolean stream) {

    public SamplingParams sampling() {
        if (topLogprobs != null && (topLogprobs < 0 || !Boolean.TRUE.equals(logprobs))) {
            throw ApiException.invalid("top_logprobs", "top_logprobs must be >= 0 and needs logprobs: true");
        }
        int top = Boolean.TRUE.equals(logprobs) ? (topLogprobs != null ? topLogprobs : 0) : -1;
        return new SamplingParams(temperature, topP, topK, repetitionPenalty, presencePenalty, frequencyPenalty, seed, top);
    }

    public boolean streaming() {
        return !Boolean.FALSE.equals(stream);
    }
}
