package io.starling.telemetry.drift;

/**
 * Ten equal bins over [0, 1] that a confidence falls into for drift: fixed, so a saved baseline and a new window
 * always compare the same bins. Named by their lower edge ({@code "0.0"} … {@code "0.9"}); 1.0 belongs to the last.
 */
public final class ConfidenceBins {

    public static final int COUNT = 10;
    private static final String[] NAMES = new String[COUNT];

    static {
        for (int i = 0; i < COUNT; i++) {
            NAMES[i] = "0." + i;
        }
    }

    private ConfidenceBins() {
    }

    /** The bin names in order, so a tracker knows every bin before it sees the first confidence. */
    public static String[] names() {
        return NAMES.clone();
    }

    /** The bin of a confidence in [0, 1]; anything else is a caller's bug and refused. */
    public static String of(double confidence) {
        if (!(confidence >= 0 && confidence <= 1)) {
            throw new IllegalArgumentException("confidence must be in [0, 1], got " + confidence);
        }
        return NAMES[Math.min((int) (confidence * COUNT), COUNT - 1)];
    }
}
