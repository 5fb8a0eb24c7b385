package io.starling.telemetry.drift;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Drift of every (model, pipeline, signal) series: each prediction's category goes to its series'
 * {@link DriftTracker}; a completed reference is saved to the {@link BaselineStore}, and a score crossing the
 * threshold is reported to the {@link DriftListener}. Safe to call from any thread (one lock per series).
 */
public final class DriftMonitor {

    private final DriftSettings settings;
    private final BaselineStore baselines;
    private final DriftListener listener;
    private final Map<DriftKey, DriftTracker> trackers = new ConcurrentHashMap<>();

    public DriftMonitor(DriftSettings settings, BaselineStore baselines, DriftListener listener) {
        this.settings = settings;
        this.baselines = baselines;
        this.listener = listener;
    }

    public DriftSettings settings() {
        return settings;
    }

    /** Records one prediction's category ({@link ConfidenceBins#of} for confidences); returns the series' score. */
    public double observe(DriftKey key, String category) {
        DriftTracker tracker = trackers.computeIfAbsent(key, this::newTracker);
        DriftTracker.Observation observation;
        synchronized (tracker) {
            observation = tracker.observe(category);
        }
        if (observation.completedReference() != null) {
            long predictions = observation.completedReference().values().stream().mapToLong(Long::longValue).sum();
            listener.referenceReady(key, predictions, false);
            try {
                baselines.save(key, observation.completedReference());
            } catch (IOException e) {
                listener.baselineFailed(key, "save", e);
            }
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
