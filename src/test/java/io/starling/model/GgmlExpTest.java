package io.starling.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.tensor.VectorExp;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link VectorExp} and SiLU give the scalar emulation of ggml's AVX-512 code bit for bit, at every width. */
class GgmlExpTest {

    @Test
    void vectorExpfEqualsTheScalarLaneByLane() {
        float[] special = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
                88.72f, 88.73f, -87.33f, -103.97f, -103.98f, -104f, 133f, -133f, 133.1f, -133.1f, 200f, -200f};
        float[] edges = new float[2 * 400];
        // around every n where the power of two changes kind: normal, subnormal, overflow, the |n| > 192 cut
        int e = 0;
        for (int n = -200; n < 200; n++) {
            edges[e++] = (float) (n * Math.log(2) - 0.3466);
            edges[e++] = (float) (n * Math.log(2) + 0.3466);
        }
        SplittableRandom random = new SplittableRandom(7);
        float[] randoms = new float[4096];
        for (int i = 0; i < randoms.length; i++) {
            randoms[i] = (float) random.nextDouble(-140, 140);
        }
        for (float[] inputs : new float[][] {special, edges, randoms}) {
            // whole vectors and a part-filled last one
            float[] out = new float[inputs.length];
            VectorExp.exp(inputs, 0, out, 0, inputs.length, 0f);
            for (int i = 0; i < inputs.length; i++) {
                assertThat(Float.floatToRawIntBits(out[i])).as("exp(%s)", inputs[i])
                        .isEqualTo(Float.floatToRawIntBits(GgmlExp.vExpf(inputs[i])));
            }
        }
    }

    @Test
    void siluTakesGroupsOfSixteenThroughTheVectorExpAndTheRestThroughLibm() {
        SplittableRandom random = new SplittableRandom(11);
        for (int count : new int[] {5, 16, 37, 172, 5632}) {
            float[] row = new float[count + 3];
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) random.nextDouble(-20, 20);
            }
            float[] expected = row.clone();
            int vectorEnd = count - count % GgmlExp.GROUP;
            for (int i = 0; i < count; i++) {
                float x = row[3 + i];
                float exp = i < vectorEnd ? GgmlExp.vExpf(0f - x) : GgmlExp.expf(-x);
                expected[3 + i] = x / (1f + exp);
            }
            GgmlExp.silu(row, 3, count);
            assertThat(row).as("%d values", count).containsExactly(expected);
        }
    }
}
