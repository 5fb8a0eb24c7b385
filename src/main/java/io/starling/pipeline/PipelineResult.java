package io.starling.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.starling.api.openai.Usage;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code POST /v1/pipelines/{name}}: one {@link Output} per input, in order, and the tokens the engine
 * spent (results from the cache spend none).
 */
public record PipelineResult(String object, String pipeline, String model, List<Output> data, Usage usage) {

    /**
     * One input's result: the final label and confidence (pipelines with classify), the final text, the shown
     * stages' outputs by stage name, and this input's tokens.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Output(String object, int index, String label, Double confidence, String text,
                         Map<String, Object> stages, Usage usage) {
    }
}
