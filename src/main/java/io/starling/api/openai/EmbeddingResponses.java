package io.starling.api.openai;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** The wire shape of {@code /v1/embeddings}: a list of vectors (floats or base64) and the input tokens counted. */
public final class EmbeddingResponses {

    private EmbeddingResponses() {
    }

    /** {@code embedding} is a {@code float[]} or, with {@code encoding_format: base64}, a base64 string. */
    public record Embedding(String object, int index, Object embedding) {
    }

    public record EmbeddingList(String object, List<Embedding> data, String model, EmbeddingUsage usage) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record EmbeddingUsage(int promptTokens, int totalTokens) {
    }
}
