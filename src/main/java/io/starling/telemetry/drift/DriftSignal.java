package io.starling.telemetry.drift;

/** What a prediction's drift is measured on; {@link #tag} is the {@code signal} label of the drift gauge. */
public enum DriftSignal {
    /** The prediction's confidence, binned by {@link ConfidenceBins}. */
    CONFIDENCE("confidence"),
    /** The predicted label itself, one category per label. */
    LABEL("label");

    private final String tag;

    DriftSignal(String tag) {
        this.tag = tag;
    }

    public String tag() {
        return tag;
    }
}
