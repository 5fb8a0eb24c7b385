package io.starling.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** ggml's exponential in vector lanes against the true value (its bits against ggml's scalar code: GgmlExpTest). */
class VectorExpTest {

    @Test
    void vectorExpIsWithinAFewUlpOfTheTrueValueAndZeroFarBelow() {
        float[] xs = new float[Vectors.floatLanes() + 3];
        float[] out = new float[xs.length];
        for (float x = -90f; x <= 0f; x += 0.0137f) {
            Arrays.fill(xs, x);
            VectorExp.exp(xs, 0, out, 0, xs.length, 0f);
            double truth = Math.exp(x);
            if (x > -87f) {
                assertThat((double) out[0]).as("e^" + x).isCloseTo(truth, within(3.0 * Math.ulp((float) truth)));
            } else {
                assertThat(out[0]).as("e^" + x).isLessThan(2e-38f);
            }
        }
        Arrays.fill(xs, Float.NEGATIVE_INFINITY);
        VectorExp.exp(xs, 0, out, 0, xs.length, 0f);
        assertThat(out[0]).as("a masked logit").isLessThan(2e-38f).isNotNegative();
    }

    @Test
    void aRunIsShiftedAndTouchesNothingOutsideIt() {
        float[] xs = {9f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f, 13f, 14f, 15f, 16f, 17f, 18f, 9f};
        float[] out = new float[xs.length];
        Arrays.fill(out, -1f);
        VectorExp.exp(xs, 1, out, 2, 17, 18f);
        assertThat(out[0]).isEqualTo(-1f);
        assertThat(out[1]).isEqualTo(-1f);
        assertThat(out[19]).isEqualTo(-1f);
        for (int i = 0; i < 17; i++) {
            assertThat((double) out[2 + i]).as("e^(%s - 18)", xs[1 + i])
                    .isCloseTo(Math.exp(xs[1 + i] - 18.0), within(3.0 * Math.ulp((float) Math.exp(xs[1 + i] - 18.0))));
        }
    }
}
