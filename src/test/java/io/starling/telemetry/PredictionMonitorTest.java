package io.starling.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.starling.config.StarlingConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionMonitorTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final PredictionMonitor monitor = new PredictionMonitor(registry, config(20, 10, Optional.empty()));

    @Test
    void confidencesGoToAHistogramPerModelAndPipeline() {
        monitor.record("m", "sentiment", 0.9, "positive");
        monitor.record("m", "sentiment", 0.6, "negative");
        monitor.record("m", PredictionMonitor.NO_PIPELINE, 0.3, null);
        DistributionSummary sentiment = registry.get("starling.prediction.confidence").tag("model", "m")
                .tag("pipeline", "sentiment").summary();
        assertThat(sentiment.count()).isEqualTo(2);
        assertThat(sentiment.totalAmount()).isEqualTo(1.5);
        assertThat(registry.get("starling.prediction.confidence").tag("pipeline", "none").summary().count())
                .isEqualTo(1);
    }

    @Test
    void driftGaugesPerSignalAndNoLabelSignalForGeneration() {
        monitor.record("m", "sentiment", 0.9, "positive");
        monitor.record("m", PredictionMonitor.NO_PIPELINE, 0.3, null);
        assertThat(registry.get("starling.drift.score").tag("pipeline", "sentiment").gauges()).hasSize(2);
        assertThat(registry.get("starling.drift.score").tag("pipeline", "none").gauges()).hasSize(1);
        assertThat(registry.get("starling.drift.score").tag("pipeline", "none").gauge().value()).isNaN();
    }

    @Test
    void driftScoreMovesWhenPredictionsShift() {
        for (int i = 0; i < 30; i++) {
            monitor.record("m", "sentiment", 0.95, "positive");
        }
        double steady = registry.get("starling.drift.score").tag("signal", "label").gauge().value();
        for (int i = 0; i < 10; i++) {
            monitor.record("m", "sentiment", 0.55, "negative");
        }
        assertThat(steady).isZero();
        assertThat(registry.get("starling.drift.score").tag("signal", "label").gauge().value()).isGreaterThan(1);
        assertThat(registry.get("starling.drift.score").tag("signal", "confidence").gauge().value()).isGreaterThan(1);
    }

    @Test
    void aCompleteReferenceIsSavedInTheBaselineDirectory(@TempDir Path dir) throws InterruptedException {
        PredictionMonitor saving = new PredictionMonitor(registry, config(20, 10, Optional.of(dir)));
        for (int i = 0; i < 20; i++) {
            saving.record("m", "sentiment", 0.95, i % 2 == 0 ? "positive" : "negative");
        }
        Path labels = dir.resolve("m@sentiment@label.json");
        Path confidences = dir.resolve("m@sentiment@confidence.json");
        long deadline = System.nanoTime() + 5_000_000_000L; // written off the caller's thread
        while (!(Files.exists(labels) && Files.exists(confidences)) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(labels).content().contains("\"positive\" : 10", "\"negative\" : 10");
        assertThat(confidences).content().contains("\"0.9\" : 20");
    }

    @Test
    void aConfidenceOutsideTheUnitIntervalIsRefused() {
        assertThatThrownBy(() -> monitor.record("m", "none", 1.5, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> monitor.record("m", "none", Double.NaN, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static StarlingConfig.Drift config(int reference, int window, Optional<Path> baselines) {
        return new StarlingConfig.Drift() {
            @Override
            public int referenceSize() {
                return reference;
            }

            @Override
            public int windowSize() {
                return window;
            }

            @Override
            public double threshold() {
                return 0.2;
            }

            @Override
            public Optional<Path> baselineDir() {
                return baselines;
            }
        };
    }
}
