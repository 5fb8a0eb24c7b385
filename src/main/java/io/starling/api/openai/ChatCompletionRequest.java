package io.starling.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.starling.api.inference.SamplingParams;
import java.util.List;

/**
 * {@code POST /v1/chat/completions} as the OpenAI SDKs send it. Fields whose JSON shape varies ({@code stop},
 * {@code content}) or that are refused ({@code tools} …) are kept as JSON and checked by hand, so the error can
 * name the field. {@code top_k} and {@code repetition_penalty} are extensions, as in vLLM and llama-server.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ChatCompletionRequest(
        String model,
        List<Message> messages,
        Integer maxTokens,
        Integer maxCompletionTokens,
        Double temperature,
        Double topP,
        Integer n,
        JsonNode stop,
        Long seed,
        Double presencePenalty,
        Double frequencyPenalty,
        Boolean logprobs,
        Integer topLogprobs,
        Boolean stream,
        StreamOptions streamOptions,
        String user,
        Integer topK,
        Double repetitionPenalty,
        // known but not honoured yet: a 400 naming the field, never silently ignored
        JsonNode tools,
        JsonNode toolChoice,
        JsonNode functions,
        JsonNode functionCall,
        JsonNode responseFormat,
        JsonNode logitBias,
        JsonNode audio,
        JsonNode prediction) {

    /** One message; {@code content} is a string or an array of {@code {"type":"text","text":…}} parts. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Message(String role, JsonNode content, String name, JsonNode toolCalls, String toolCallId) {
    }

    public SamplingParams sampling() {
        int top = Boolean.TRUE.equals(logprobs) ? (topLogprobs != null ? topLogprobs : 0) : -1;
        if (!Boolean.TRUE.equals(logprobs) && topLogprobs != null) {
            throw io.starling.api.error.ApiException.invalid("top_logprobs", "top_logprobs needs logprobs: true");
        }
        if (topLogprobs != null && topLogprobs < 0) {
            throw io.starling.api.error.ApiException.invalid("top_logprobs", "top_logprobs must be >= 0");
        }
        return new SamplingParams(temperature, topP, topK, repetitionPenalty, presencePenalty, frequencyPenalty, seed, top);
    }

    public boolean streaming() {
        return Boolean.TRUE.equals(stream);
    }

    public boolean includeUsage() {
        return streamOptions != null && Boolean.TRUE.equals(streamOptions.includeUsage());
    }
}
