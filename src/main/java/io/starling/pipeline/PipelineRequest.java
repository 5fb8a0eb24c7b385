package io.starling.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.starling.api.error.ApiException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/pipelines/{name}} (and a batch line's body): {@code input} is a text or an array of texts;
 * {@code outputs} names the stages whose outputs the result shows (absent: every stage but embed, whose vectors
 * are long; {@code []}: none).
 */
public record PipelineRequest(JsonNode input, List<String> outputs) {

    /** More inputs than this in one request is a job for {@code starling batch}. */
    public static final int MAX_INPUTS = 64;

    /** The input texts, checked: 400 naming the field when absent, empty or too many. */
    public List<String> texts() {
        if (input == null || input.isNull() || input.isMissingNode()) {
            throw ApiException.invalid("input", "'input' is required: a text or an array of texts");
        }
        if (input.isTextual()) {
            return List.of(text(input, "input"));
        }
        if (!input.isArray() || input.isEmpty()) {
            throw ApiException.invalid("input", "'input' must be a text or a non-empty array of texts");
        }
        if (input.size() > MAX_INPUTS) {
            throw ApiException.invalid("input", "at most " + MAX_INPUTS + " inputs per request, got " + input.size()
                    + " (run larger sets with starling batch)");
        }
        List<String> texts = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            texts.add(text(input.get(i), "input[" + i + "]"));
        }
        return texts;
    }

    private static String text(JsonNode node, String param) {
        if (!node.isTextual()) {
            throw ApiException.invalid(param, "'" + param + "' must be a text");
        }
        if (node.textValue().isEmpty()) {
            throw ApiException.invalid(param, "'" + param + "' is empty");
        }
        return node.textValue();
    }

    /** The stages to show, checked against the pipeline. */
    List<String> shown(PipelineSpec spec) {
        if (outputs == null) {
            return spec.stageNames().stream().filter(stage -> !stage.equals("embed")).toList();
        }
        for (String stage : outputs) {
            if (!spec.has(stage)) {
                throw ApiException.invalid("outputs", "pipeline '" + spec.name() + "' has no stage '" + stage
                        + "'; its stages are " + String.join(", ", spec.stageNames()));
            }
        }
        return outputs;
    }
}
