package io.starling.telemetry.drift;

/**
 * The population-stability index of two histograms over the same categories:
 * {@code PSI = Σ (actual_i - expected_i) · ln(actual_i / expected_i)} over category proportions. A category empty on
 * one side would make the logarithm infinite, so each proportion is epsilon-smoothed first:
 * {@code p_i = (count_i / total + ε) / (1 + k·ε)}, which keeps the proportions summing to one and turns a category
 * that appears only in one window into a large but finite term. Common reading: below 0.1 stable, 0.1–0.25 a
 * moderate shift, above 0.25 a significant one.
 */
public final class PopulationStability {

    /** Small against any proportion a real window holds (a window of 10,000 has 1e-4 per observation). */
    public static final double EPSILON = 1e-4;

    private PopulationStability() {
    }

    /**
     * The PSI of {@code actual} against {@code expected}: category counts in the same order, of which the first
     * {@code categories} are compared. NaN when either side has no counts.
     */
    public static double index(long[] expected, long[] actual, int categories) {
        long expectedTotal = sum(expected, categories);
        long actualTotal = sum(actual, categories);
        if (expectedTotal == 0 || actualTotal == 0) {
            return Double.NaN;
        }
        double norm = 1 + categories * EPSILON;
        double psi = 0;
        for (int i = 0; i < categories; i++) {
            double e = (expected[i] / (double) expectedTotal + EPSILON) / norm;
            double a = (actual[i] / (double) actualTotal + EPSILON) / norm;
            psi += (a - e) * Math.log(a / e);
        }
        return psi;
    }

    private static long sum(long[] counts, int categories) {
        long total = 0;
        for (int i = 0; i < categories; i++) {
            total += counts[i];
        }
        return total;
    }
}
