package io.starling.telemetry.drift;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Drift of every (model, pipeline, signal) series: each prediction's category goes to its series'
 * {@link DriftTracker}; a completed reference is saved to the {@link BaselineStore} (on {@code saves}, since
 * predictions are recorded on the engine's thread, which should not wait for a disk), and a score crossing the
 * threshold is reported to the {@link DriftListener}. Safe to call from any thread (one lock per series).
 */
public final class DriftMonitor {

    private final DriftSettings settings;
    private final BaselineStore baselines;
    private final DriftListener listener;
    private final Executor saves;
    private final Map<DriftKey, DriftTracker> trackers = new ConcurrentHashMap<>();

    public DriftMonitor(DriftSettings settings, BaselineStore baselines, DriftListener listener, Executor saves) {
        this.settings = settings;
        this.baselines = baselines;
        this.listener = listener;
        this.saves = saves;
    }

    /** Records one prediction's category ({@link ConfidenceBins#of} for confidences); returns the series' score. */
    public double observe(DriftKey key, String category) {
        DriftTracker tracker = trackers.computeIfAbsent(key, this::newTracker);
        DriftTracker.Observation observation;
        synchronized (tracker) {
            observation = tracker.observe(category);
        }
        Map<String, Long> reference = observation.completedReference();
        if (reference != null) {
            listener.referenceReady(key, reference.values().stream().mapToLong(Long::longValue).sum(), false);
            saves.execute(() -> {
                try {
                    baselines.save(key, reference);
                } catch (IOException e) {
                    listener.baselineFailed(key, "save", e);
                }
            });
        }
        if (observation.crossing() != null) {
            listener.crossed(key, observation.score(), settings.threshold(),
                    observation.crossing() == DriftTracker.Crossing.ROSE_ABOVE);
        }
        return observation.score();
    }

    /** The series' latest score: NaN before it has a complete reference and a full window after it, or if unknown. */
    public double score(DriftKey key) {
        DriftTracker tracker = trackers.get(key);
        return tracker == null ? Double.NaN : tracker.score();
    }

    private DriftTracker newTracker(DriftKey key) {
        String[] categories = key.signal() == DriftSignal.CONFIDENCE ? ConfidenceBins.names() : new String[0];
        Map<String, Long> saved = null;
        try {
            saved = baselines.load(key).orElse(null);
        } catch (IOException e) {
            listener.baselineFailed(key, "load", e);
        }
        DriftTracker tracker = new DriftTracker(settings, categories, saved);
        if (tracker.referenceComplete()) {
            listener.referenceReady(key, saved.values().stream().mapToLong(Long::longValue).sum(), true);
        }
        return tracker;
    }
}
