package io.starling.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.starling.api.error.ApiException;
import io.starling.api.inference.SamplingParams;

/**
 * {@code POST /v1/completions} (legacy): {@code prompt} is a string, strings, token ids or arrays of ids;
 * {@code logprobs} is an int (alternatives per token) and with {@code echo} also scores the prompt.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CompletionRequest(
        String model,
        JsonNode prompt,
        Integer maxTokens,
        Double temperature,
        Double topP,
        Integer n,
        JsonNode stop,
        Long seed,
        Double presencePenalty,
        Double frequencyPenalty,
        Integer logprobs,
        Boolean echo,
        Boolean stream,
        StreamOptions streamOptions,
        String user,
        Integer topK,
        Double repetitionPenalty,
        // known but not honoured yet
        JsonNode suffix,
        Integer bestOf,
        JsonNode logitBias) {

    public SamplingParams sampling() {
        if (logprobs != null && (logprobs < 0 || logprobs > SamplingParams.MAX_TOP_LOGPROBS)) {
            throw ApiException.invalid("logprobs", "logprobs must be between 0 and " + SamplingParams.MAX_TOP_LOGPROBS
                    + ", got " + logprobs);
        }
        return new SamplingParams(temperature, topP, topK, repetitionPenalty, presencePenalty, frequencyPenalty, seed,
                logprobs != null ? logprobs : -1);
    }

    public boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }

    public boolean echoes() {
        return Boolean.TRUE.equals(echo);
    }

    public boolean includeUsage() {
        return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    }
}
