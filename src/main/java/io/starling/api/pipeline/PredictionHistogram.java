package io.starling.api.pipeline;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.starling.pipeline.PredictionListener;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code starling_prediction_confidence{model,pipeline}}: the confidence of every prediction a pipeline serves (the
 * label's probability for classify, the mean token probability for generate), in tenth-wide buckets over [0, 1].
 */
@ApplicationScoped
public class PredictionHistogram implements PredictionListener {

    private static final double[] BUCKETS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};

    private final MeterRegistry registry;

    PredictionHistogram(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void predicted(String model, String pipeline, double confidence, String label) {
        DistributionSummary.builder("starling.prediction.confidence")
                .description("Confidence of served predictions: label probability (classify), mean token probability (generate)")
                .tag("model", model).tag("pipeline", pipeline).serviceLevelObjectives(BUCKETS)
                .register(registry).record(confidence);
    }
}
