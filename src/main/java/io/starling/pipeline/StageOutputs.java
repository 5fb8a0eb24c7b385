package io.starling.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/** The JSON each stage shows for one input in the result's {@code stages} object. */
final class StageOutputs {

    private StageOutputs() {
    }

    /** tokenize: the text's token ids (BOS included as the model adds it) and how many. */
    record Tokens(int[] tokens, int count) {
    }

    /** embed: the unit-length embedding. */
    record Embedding(float[] embedding) {
    }

    /** classify: the label, its probability and every label's. */
    record Classified(String label, double confidence, Map<String, Double> scores) {
    }

    /** generate: the completion, why it ended, and the mean probability of its tokens. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Generated(String text, String finishReason, double meanTokenProbability) {
    }

    /** extract: the value found, or found false and no value. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Extracted(String value, boolean found) {
    }

    /** postprocess: the final label, its confidence, and the classifier's own label before renaming/threshold. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Postprocessed(String label, double confidence, String classifiedAs) {
    }
}
