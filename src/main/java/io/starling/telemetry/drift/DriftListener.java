package io.starling.telemetry.drift;

import java.io.IOException;

/** What the {@link DriftMonitor} reports beyond its scores: its owner logs these (the core has no logger). */
public interface DriftListener {

    /**
     * A series' score went above the threshold ({@code above}), or back to half of it or below after that: once
     * per crossing, however long the score stays there.
     */
    void crossed(DriftKey key, double score, double threshold, boolean above);

    /** A series' reference is complete: collected from its first predictions, or loaded from a saved baseline. */
    void referenceReady(DriftKey key, long predictions, boolean loaded);

    /** A saved baseline could not be read (a new reference is collected) or written (it is kept in memory only). */
    void baselineFailed(DriftKey key, String action, IOException error);
}
