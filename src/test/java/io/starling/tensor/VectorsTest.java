package io.starling.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The lane sums every kernel's result goes through: the same additions in the same order, however computed. */
class VectorsTest {

    @Test
    void sumsOfStoredVectorsAtOnceAreEachSumStoredBitForBit() {
        Random random = new Random(5);
        int lanes = Vectors.floatLanes();
        int count = 16;
        float[] stored = new float[count * lanes + count];
        for (int i = 0; i < count * lanes; i++) {
            // magnitudes far apart, so that any other order of the additions rounds differently
            stored[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
        }
        float[] expected = new float[count];
        for (int k = 0; k < count; k++) {
            expected[k] = Vectors.sumStored(stored, k * lanes);
        }

        Vectors.sumStoredAll(stored, 0, count, count * lanes);

        for (int k = 0; k < count; k++) {
            assertThat(Float.floatToRawIntBits(stored[count * lanes + k])).as("vector %d", k)
                    .isEqualTo(Float.floatToRawIntBits(expected[k]));
        }
    }
}
