package io.starling.telemetry.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PopulationStabilityTest {

    @Test
    void mirroredDistributionsMatchTheHandComputation() {
        // Proportions 0.5/0.3/0.2 against 0.2/0.3/0.5:
        // (0.2-0.5)·ln(0.2/0.5) + 0 + (0.5-0.2)·ln(0.5/0.2) = 0.6·ln 2.5 = 0.54977; smoothing moves it by < 1e-3.
        double psi = PopulationStability.index(new long[] {50, 30, 20}, new long[] {20, 30, 50}, 3);
        assertEquals(0.54977, psi, 1e-3);
    }

    @Test
    void anEmptyReferenceCategoryIsLargeButFinite() {
        // 100/0 against 90/10, each proportion (p + 1e-4) / 1.0002:
        // expected 1.0001/1.0002, 0.0001/1.0002; actual 0.9001/1.0002, 0.1001/1.0002
        // (-0.1/1.0002)·ln(0.9001/1.0001) + (0.1/1.0002)·ln(0.1001/0.0001) = 0.010523 + 0.690747 = 0.70127
        double psi = PopulationStability.index(new long[] {100, 0}, new long[] {90, 10}, 2);
        assertEquals(0.70127, psi, 1e-5);
    }

    @Test
    void identicalProportionsScoreZeroWhateverTheTotals() {
        assertEquals(0.0, PopulationStability.index(new long[] {10, 20, 30}, new long[] {100, 200, 300}, 3), 1e-12);
    }

    @Test
    void onlyTheGivenCategoriesCount() {
        double psi = PopulationStability.index(new long[] {5, 5, 999}, new long[] {5, 5, 0}, 2);
        assertEquals(0.0, psi, 1e-12);
    }

    @Test
    void anEmptySideHasNoIndex() {
        assertTrue(Double.isNaN(PopulationStability.index(new long[] {0, 0}, new long[] {1, 2}, 2)));
        assertTrue(Double.isNaN(PopulationStability.index(new long[] {1, 2}, new long[] {0, 0}, 2)));
    }
}
