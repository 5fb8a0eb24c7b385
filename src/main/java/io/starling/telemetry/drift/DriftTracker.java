package io.starling.telemetry.drift;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drift state of one series: reference counts per category, then a rolling window (a ring of the last
 * {@code windowSize} categories with their counts) compared with the reference by {@link PopulationStability}.
 * Categories are numbered as first seen; past {@link #MAX_CATEGORIES} distinct ones, new ones share
 * {@link #OTHER}, so a pipeline emitting free-form labels cannot grow it without bound. Not thread-safe: the
 * {@link DriftMonitor} serialises calls per tracker.
 */
final class DriftTracker {

    static final int MAX_CATEGORIES = 256;
    static final String OTHER = "(other)";
    /**
     * A series counts as back to normal only below this share of the threshold: while the window slides from one
     * distribution to another the score wanders around the threshold, and without this margin every wobble would
     * be one more warning.
     */
    static final double REARM = 0.5;

    /** What one observation changed. */
    record Observation(double score, Map<String, Long> completedReference, Crossing crossing) {
    }

    enum Crossing {
        ROSE_ABOVE, FELL_BELOW
    }

    private final DriftSettings settings;
    private final Map<String, Integer> index = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private final long[] reference = new long[MAX_CATEGORIES + 1];
    private long referenceTotal;
    private boolean referenceComplete;
    private final int[] ring;
    private int ringFill;
    private int ringNext;
    private final long[] window = new long[MAX_CATEGORIES + 1];
    private volatile double score = Double.NaN;
    private boolean above;

    /** A tracker knowing {@code categories} up front (the confidence bins), with a saved reference or none. */
    DriftTracker(DriftSettings settings, String[] categories, Map<String, Long> savedReference) {
        this.settings = settings;
        this.ring = new int[settings.windowSize()];
        for (String category : categories) {
            indexOf(category);
        }
        if (savedReference != null) {
            savedReference.forEach((category, count) -> {
                reference[indexOf(category)] += count;
                referenceTotal += count;
            });
            referenceComplete = referenceTotal > 0;
        }
    }

    /** The latest PSI, NaN until the reference is complete and a full window has followed it. */
    double score() {
        return score;
    }

    boolean referenceComplete() {
        return referenceComplete;
    }

    Observation observe(String category) {
        int i = indexOf(category);
        if (!referenceComplete) {
            reference[i]++;
            referenceTotal++;
            referenceComplete = referenceTotal >= settings.referenceSize();
            return new Observation(score, referenceComplete ? referenceCounts() : null, null);
        }
        if (ringFill == ring.length) {
            window[ring[ringNext]]--;
        } else {
            ringFill++;
        }
        ring[ringNext] = i;
        window[i]++;
        ringNext = (ringNext + 1) % ring.length;
        if (ringFill < ring.length) {
            return new Observation(score, null, null);
        }
        score = PopulationStability.index(reference, window, names.size());
        Crossing crossing = null;
        if (!above && score > settings.threshold()) {
            above = true;
            crossing = Crossing.ROSE_ABOVE;
        } else if (above && score <= settings.threshold() * REARM) {
            above = false;
            crossing = Crossing.FELL_BELOW;
        }
        return new Observation(score, null, crossing);
    }

    /** The reference as category → count, in category order (the form a baseline is saved in). */
    Map<String, Long> referenceCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            counts.put(names.get(i), reference[i]);
        }
        return counts;
    }

    private int indexOf(String category) {
        Integer known = index.get(category);
        if (known != null) {
            return known;
        }
        String name = names.size() < MAX_CATEGORIES ? category : OTHER;
        Integer other = index.get(name);
        if (other != null) {
            return other;
        }
        index.put(name, names.size());
        names.add(name);
        return names.size() - 1;
    }
}
