package io.starling.pipeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A zero-shot classification: the chosen label, its probability, and every label's probability (in the configured
 * order, summing to 1).
 */
public record Classification(String label, double confidence, Map<String, Double> scores) {

    public Classification {
        scores = Collections.unmodifiableMap(new LinkedHashMap<>(scores));
    }

    /** The softmax of one score per label; the most probable label wins, ties to the first configured. */
    static Classification softmax(List<String> labels, double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        double[] weights = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            weights[i] = Math.exp(logits[i] - max);
            sum += weights[i];
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        int best = 0;
        for (int i = 0; i < logits.length; i++) {
            scores.put(labels.get(i), weights[i] / sum);
            if (weights[i] > weights[best]) {
                best = i;
            }
        }
        return new Classification(labels.get(best), weights[best] / sum, scores);
    }

    StageResult asResult(int promptTokens) {
        return new StageResult(new StageOutputs.Classified(label, confidence, scores), label, null, this, promptTokens, 0);
    }
}
