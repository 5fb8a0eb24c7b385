package io.starling.api.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * {@code POST /v1/embeddings}: {@code input} is a string, strings, token ids or arrays of ids;
 * {@code encoding_format} float (default) or base64 (what the Python SDK asks for by default).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EmbeddingRequest(String model, JsonNode input, String encodingFormat, Integer dimensions, String user) {
}
