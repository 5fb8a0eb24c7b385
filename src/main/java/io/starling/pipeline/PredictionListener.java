package io.starling.pipeline;

/**
 * Told of every prediction a pipeline serves, for the confidence histogram and drift: the server passes
 * {@code io.starling.telemetry.PredictionMonitor#record}.
 */
@FunctionalInterface
public interface PredictionListener {

    PredictionListener NONE = (model, pipeline, confidence, label) -> { };

    /** {@code label} is null for a generation (its confidence is the mean token probability). */
    void predicted(String model, String pipeline, double confidence, String label);
}
