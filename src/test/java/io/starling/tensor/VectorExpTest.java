package io.starling.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** ggml's exponential in vector lanes against the true value (its bits against ggml's scalar code: GgmlExpTest). */
class VectorExpTest {

    @Test
    void vectorExpIsWithinAFewUlpOfTheTrueValueAndZeroFarBelow() {
        var species = FloatVector.SPECIES_PREFERRED;
        float[] xs = new float[species.length()];
        float[] out = new float[xs.length];
        for (float x = -90f; x <= 0f; x += 0.0137f) {
            Arrays.fill(xs, x);
            VectorExp.ggmlExpf(FloatVector.fromArray(species, xs, 0)).intoArray(out, 0);
            double truth = Math.exp(x);
            if (x > -87f) {
                assertThat((double) out[0]).as("e^" + x).isCloseTo(truth, within(3.0 * Math.ulp((float) truth)));
            } else {
                assertThat(out[0]).as("e^" + x).isLessThan(2e-38f);
            }
        }
        Arrays.fill(xs, Float.NEGATIVE_INFINITY);
        VectorExp.ggmlExpf(FloatVector.fromArray(species, xs, 0)).intoArray(out, 0);
        assertThat(out[0]).as("a masked logit").isLessThan(2e-38f).isNotNegative();
    }
}
