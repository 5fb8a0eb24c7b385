package io.starling.api.starling;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.starling.api.openai.Usage;
import java.util.List;

/** The wire shapes of {@code /v1/generate}: one event per token, a final event, and the non-streamed result. */
public final class GenerateEvents {

    private GenerateEvents() {
    }

    /** One generated token; {@code text} may be empty while a character or a possible stop string is incomplete. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Token(int token, String text, Float logprob, List<Alternative> topLogprobs) {
    }

    public record Alternative(int token, String text, float logprob) {
    }

    /** Where the time went, in milliseconds: waiting for the engine, prompt processing, generation. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Timings(double queueMs, double prefillMs, double decodeMs) {
    }

    /** The last event of a stream; {@code text} is what the sequence still held back. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Final(String text, String finishReason, Usage usage, Timings timings) {
    }

    /** The whole result when {@code stream} is false. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(String text, int[] tokens, @JsonInclude(JsonInclude.Include.NON_NULL) List<Token> logprobs,
                         String finishReason, Usage usage, Timings timings) {
    }
}
