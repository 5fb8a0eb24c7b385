package io.starling.telemetry.drift;

/**
 * How drift is measured: the first {@code referenceSize} predictions of a series (unless a saved baseline exists)
 * are its reference; its score compares the last {@code windowSize} predictions after that with it, and a score
 * above {@code threshold} is reported once per crossing.
 */
public record DriftSettings(int referenceSize, int windowSize, double threshold) {

    public DriftSettings {
        if (referenceSize < 1 || windowSize < 1) {
            throw new IllegalArgumentException("drift reference and window sizes must be at least 1, got "
                    + referenceSize + " and " + windowSize);
        }
        if (!(threshold > 0)) {
            throw new IllegalArgumentException("drift threshold must be positive, got " + threshold);
        }
    }
}
