package io.starling.api.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** The wire shapes of chat completions: the whole response, stream chunks and chat-style logprobs. */
public final class ChatResponses {

    private ChatResponses() {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ChatCompletion(String id, String object, long created, String model, String systemFingerprint,
                                 List<Choice> choices, Usage usage) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Choice(int index, Message message, Logprobs logprobs, String finishReason) {
    }

    public record Message(String role, String content) {
    }

    /** A stream chunk; {@code usage} appears only on the last chunk, and only when asked for. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Chunk(String id, String object, long created, String model, String systemFingerprint,
                        List<ChunkChoice> choices, @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ChunkChoice(int index, Delta delta, Logprobs logprobs, String finishReason) {
    }

    /** What a chunk adds: the role in the first chunk, then content. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(String role, String content) {
    }

    public record Logprobs(List<TokenLogprob> content) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TokenLogprob(String token, float logprob, int[] bytes, List<TopLogprob> topLogprobs) {
    }

    public record TopLogprob(String token, float logprob, int[] bytes) {
    }
}
