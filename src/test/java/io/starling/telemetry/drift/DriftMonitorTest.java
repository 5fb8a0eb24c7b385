package io.starling.telemetry.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriftMonitorTest {

    private static final DriftSettings SETTINGS = new DriftSettings(1000, 500, 0.2);
    private static final DriftKey CONFIDENCE = new DriftKey("m", "p", DriftSignal.CONFIDENCE);
    private static final DriftKey LABEL = new DriftKey("m", "p", DriftSignal.LABEL);

    private final Random random = new Random(42);
    /** Confident predictions (0.75-1.0), mostly "positive": what the model saw at first. */
    private final DoubleSupplier confident = () -> 0.75 + 0.25 * random.nextDouble();
    private final Supplier<String> mostlyPositive = () -> random.nextDouble() < 0.7 ? "positive" : "negative";
    /** Unsure predictions (0.35-0.75), mostly "negative": the inputs have changed. */
    private final DoubleSupplier unsure = () -> 0.35 + 0.4 * random.nextDouble();
    private final Supplier<String> mostlyNegative = () -> random.nextDouble() < 0.3 ? "positive" : "negative";

    private final Events events = new Events();

    @Test
    void noScoreUntilTheReferenceAndAFullWindowAfterIt() {
        DriftMonitor drift = new DriftMonitor(SETTINGS, BaselineStore.NONE, events, Runnable::run);
        assertThat(drift.score(CONFIDENCE)).isNaN();
        feed(drift, 1499, confident, mostlyPositive);
        assertThat(drift.score(CONFIDENCE)).isNaN();
        assertThat(drift.score(LABEL)).isNaN();
        assertThat(events.references).containsExactly("m/p/confidence 1000 collected", "m/p/label 1000 collected");
        feed(drift, 1, confident, mostlyPositive);
        assertThat(drift.score(CONFIDENCE)).isBetween(0.0, 0.2);
        assertThat(drift.score(LABEL)).isBetween(0.0, 0.2);
    }

    @Test
    void staysLowWhileTheDistributionHolds() {
        DriftMonitor drift = new DriftMonitor(SETTINGS, BaselineStore.NONE, events, Runnable::run);
        double highest = 0;
        for (int i = 0; i < 6000; i++) {
            feed(drift, 1, confident, mostlyPositive);
            highest = Math.max(highest, maxScore(drift));
        }
        // sampling noise alone: about (bins - 1)·(1/1000 + 1/500) = 0.027 for the ten confidence bins
        assertThat(highest).isLessThan(0.1);
        assertThat(events.crossings).isEmpty();
    }

    @Test
    void risesWhenTheInputsShiftAndWarnsOncePerCrossing() {
        DriftMonitor drift = new DriftMonitor(SETTINGS, BaselineStore.NONE, events, Runnable::run);
        feed(drift, 1500, confident, mostlyPositive);
        double before = drift.score(CONFIDENCE);
        double labelBefore = drift.score(LABEL);
        feed(drift, 500, unsure, mostlyNegative);
        assertThat(drift.score(CONFIDENCE)).isGreaterThan(1.0).isGreaterThan(before * 10);
        // 0.7/0.3 to 0.3/0.7: 2·0.4·ln(7/3) = 0.678
        assertThat(drift.score(LABEL)).isGreaterThan(0.5).isGreaterThan(labelBefore * 10);
        feed(drift, 2000, unsure, mostlyNegative);
        assertThat(events.crossings).containsExactlyInAnyOrder("m/p/confidence above", "m/p/label above");

        feed(drift, 500, confident, mostlyPositive);
        assertThat(maxScore(drift)).isLessThan(0.1);
        assertThat(events.crossings).containsExactlyInAnyOrder("m/p/confidence above", "m/p/label above",
                "m/p/confidence below", "m/p/label below");
    }

    @Test
    void aSavedBaselineIsTheReferenceAfterARestart(@TempDir Path dir) throws IOException {
        DriftMonitor first = new DriftMonitor(SETTINGS, new BaselineFiles(dir), events, Runnable::run);
        feed(first, 1000, confident, mostlyPositive);
        Path saved = new BaselineFiles(dir).file(CONFIDENCE);
        assertThat(saved).exists();
        assertThat(Files.readString(saved)).contains("\"signal\" : \"confidence\"", "\"0.9\" :");

        DriftMonitor restarted = new DriftMonitor(SETTINGS, new BaselineFiles(dir), events, Runnable::run);
        feed(restarted, 500, unsure, mostlyNegative);
        assertThat(events.references).contains("m/p/confidence 1000 loaded", "m/p/label 1000 loaded");
        assertThat(restarted.score(CONFIDENCE)).as("scored after one window, no new reference").isGreaterThan(1.0);
        assertThat(restarted.score(LABEL)).isGreaterThan(0.5);
    }

    @Test
    void anUnreadableBaselineIsReportedAndANewReferenceCollected(@TempDir Path dir) throws IOException {
        BaselineFiles files = new BaselineFiles(dir);
        Files.writeString(files.file(CONFIDENCE), "{\"counts\": {\"0.9\": \"many\"}}");
        DriftMonitor drift = new DriftMonitor(SETTINGS, files, events, Runnable::run);
        feed(drift, 1000, confident, mostlyPositive);
        assertThat(events.failures).containsExactly("m/p/confidence load");
        assertThat(events.references).contains("m/p/confidence 1000 collected");
        assertThat(files.load(CONFIDENCE)).hasValueSatisfying(counts -> assertThat(counts).containsKey("0.9"));
    }

    @Test
    void modelAndPipelineNamesMakeDistinctFiles(@TempDir Path dir) {
        BaselineFiles files = new BaselineFiles(dir);
        Path a = files.file(new DriftKey("a@b", "c", DriftSignal.LABEL));
        Path b = files.file(new DriftKey("a", "b@c", DriftSignal.LABEL));
        Path slash = files.file(new DriftKey("org/model:7b", "none", DriftSignal.LABEL));
        assertThat(a).isNotEqualTo(b);
        assertThat(slash.getParent()).isEqualTo(dir);
    }

    @Test
    void freeFormLabelsShareOneCategoryBeyondTheCap() {
        DriftTracker tracker = new DriftTracker(SETTINGS, new String[0], null);
        for (int i = 0; i < 2 * DriftTracker.MAX_CATEGORIES; i++) {
            tracker.observe("label-" + i);
        }
        assertThat(tracker.referenceCounts()).hasSize(DriftTracker.MAX_CATEGORIES + 1)
                .containsEntry(DriftTracker.OTHER, (long) DriftTracker.MAX_CATEGORIES);
    }

    private void feed(DriftMonitor drift, int predictions, DoubleSupplier confidence, Supplier<String> label) {
        for (int i = 0; i < predictions; i++) {
            drift.observe(CONFIDENCE, ConfidenceBins.of(confidence.getAsDouble()));
            drift.observe(LABEL, label.get());
        }
    }

    private static double maxScore(DriftMonitor drift) {
        double c = drift.score(CONFIDENCE);
        double l = drift.score(LABEL);
        return Math.max(Double.isNaN(c) ? 0 : c, Double.isNaN(l) ? 0 : l);
    }

    private static final class Events implements DriftListener {
        final List<String> crossings = new ArrayList<>();
        final List<String> references = new ArrayList<>();
        final List<String> failures = new ArrayList<>();

        @Override
        public void crossed(DriftKey key, double score, double threshold, boolean above) {
            crossings.add(name(key) + (above ? " above" : " below"));
        }

        @Override
        public void referenceReady(DriftKey key, long predictions, boolean loaded) {
            references.add(name(key) + " " + predictions + (loaded ? " loaded" : " collected"));
        }

        @Override
        public void baselineFailed(DriftKey key, String action, IOException error) {
            failures.add(name(key) + " " + action);
        }

        private static String name(DriftKey key) {
            return key.model() + "/" + key.pipeline() + "/" + key.signal().tag();
        }
    }
}
