package io.starling.telemetry;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.starling.telemetry.drift.BaselineFiles;
import io.starling.telemetry.drift.BaselineStore;
import io.starling.telemetry.drift.ConfidenceBins;
import io.starling.telemetry.drift.DriftKey;
import io.starling.telemetry.drift.DriftListener;
import io.starling.telemetry.drift.DriftMonitor;
import io.starling.telemetry.drift.DriftSettings;
import io.starling.telemetry.drift.DriftSignal;
import io.starling.config.StarlingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * What a model predicted, for observability: every prediction's confidence goes to the
 * {@code starling_prediction_confidence{model,pipeline}} histogram and, with its label, to drift detection
 * ({@code starling_drift_score{model,pipeline,signal}}, a warning log when it crosses
 * {@code starling.drift.threshold}).
 * Callers: generation requests record the mean token probability of each generated sequence with pipeline
 * {@link #NO_PIPELINE} and no label; a pipeline's {@code classify} stage records its label and the label's probability.
 */
@ApplicationScoped
public class PredictionMonitor {

    /** The {@code pipeline} label of predictions made outside any pipeline (plain generation requests). */
    public static final String NO_PIPELINE = "none";

    private static final Logger LOG = Logger.getLogger(PredictionMonitor.class);
    /** Tenths over [0, 1] like the drift bins, finer at the top where confident classifiers put most predictions. */
    private static final double[] BUCKETS = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0};

    private final MeterRegistry registry;
    private final DriftMonitor drift;
    private final Map<String, DistributionSummary> confidences = new ConcurrentHashMap<>();
    private final Set<DriftKey> gauged = ConcurrentHashMap.newKeySet();

    @Inject
    PredictionMonitor(MeterRegistry registry, StarlingConfig config) {
        this(registry, config.drift());
    }

    PredictionMonitor(MeterRegistry registry, StarlingConfig.Drift config) {
        this.registry = registry;
        BaselineStore baselines = config.baselineDir().<BaselineStore>map(BaselineFiles::new)
                .orElse(BaselineStore.NONE);
        DriftSettings settings = new DriftSettings(config.referenceSize(), config.windowSize(), config.threshold());
        // a baseline is written once per series: a short-lived virtual thread keeps the disk off the engine's thread
        this.drift = new DriftMonitor(settings, baselines, new LoggingListener(),
                save -> Thread.ofVirtual().name("starling-drift-baseline").start(save));
    }

    /**
     * One prediction of {@code model}: its {@code confidence} in [0, 1] (a label's probability, or a generated
     * sequence's mean token probability), in {@code pipeline} ({@link #NO_PIPELINE} outside one), with the predicted
     * {@code label}, or null when there is none (generation). A confidence outside [0, 1] is a caller's bug: refused.
     */
    public void record(String model, String pipeline, double confidence, String label) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(pipeline, "pipeline");
        String bin = ConfidenceBins.of(confidence);
        confidences.computeIfAbsent(model + '\u0000' + pipeline, ignored -> DistributionSummary
                .builder("starling.prediction.confidence")
                .description("Confidence of each prediction: a label's probability or a generation's mean token"
                        + " probability")
                .tag("model", model).tag("pipeline", pipeline).serviceLevelObjectives(BUCKETS)
                .register(registry)).record(confidence);
        observe(new DriftKey(model, pipeline, DriftSignal.CONFIDENCE), bin);
        if (label != null) {
            observe(new DriftKey(model, pipeline, DriftSignal.LABEL), label);
        }
    }

    private void observe(DriftKey key, String category) {
        drift.observe(key, category);
        if (gauged.add(key)) {
            Gauge.builder("starling.drift.score", drift, d -> d.score(key))
                    .description("Population-stability index of recent predictions against the reference"
                            + " (NaN until both are full)")
                    .tag("model", key.model()).tag("pipeline", key.pipeline()).tag("signal", key.signal().tag())
                    .register(registry);
        }
    }

    /** Drift events as log lines: a crossing of the threshold is a warning, the rest is information. */
    private static final class LoggingListener implements DriftListener {
        @Override
        public void crossed(DriftKey key, double score, double threshold, boolean above) {
            if (above) {
                LOG.warnf("Prediction drift: model %s pipeline %s signal %s PSI %s above threshold %s", key.model(),
                        key.pipeline(), key.signal().tag(), format(score), format(threshold));
            } else {
                LOG.infof("Prediction drift over: model %s pipeline %s signal %s PSI %s back within threshold %s",
                        key.model(), key.pipeline(), key.signal().tag(), format(score), format(threshold));
            }
        }

        @Override
        public void referenceReady(DriftKey key, long predictions, boolean loaded) {
            LOG.infof("Drift reference of model %s pipeline %s signal %s: %d predictions%s", key.model(),
                    key.pipeline(), key.signal().tag(), predictions, loaded ? " (saved baseline)" : "");
        }

        @Override
        public void baselineFailed(DriftKey key, String action, IOException error) {
            LOG.warnf("Could not %s the drift baseline of model %s pipeline %s signal %s (%s)%s", action, key.model(),
                    key.pipeline(), key.signal().tag(), error.getMessage(),
                    action.equals("load") ? "; collecting a new reference" : "; it is kept in memory only");
        }

        private static String format(double value) {
            return String.format(Locale.ROOT, "%.3f", value);
        }
    }
}
