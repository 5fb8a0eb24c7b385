package io.starling.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The lane sums every decode tile's result goes through: the same additions in the same order, however computed. */
class VectorsTest {

    @Test
    void treeSumsOfSixteenVectorsAtOnceAreEachTheHalvingTreeBitForBit() {
        Random random = new Random(5);
        int lanes = Vectors.floatLanes();
        int sequentialDiffers = 0;
        for (int repeat = 0; repeat < 20; repeat++) {
            float[] stored = new float[Vectors.TREE_SUMS + 16];
            for (int i = 0; i < 16 * lanes; i++) {
                // magnitudes far apart, so that any other order of the additions rounds differently
                stored[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
            }
            float[] expected = new float[16];
            for (int k = 0; k < 16; k++) {
                float[] tree = java.util.Arrays.copyOfRange(stored, k * lanes, (k + 1) * lanes);
                float sequential = 0;
                for (float lane : tree) {
                    sequential += lane;
                }
                for (int half = lanes / 2; half >= 1; half /= 2) {
                    for (int i = 0; i < half; i++) {
                        tree[i] += tree[i + half];
                    }
                }
                expected[k] = tree[0];
                sequentialDiffers += Float.compare(sequential, tree[0]) != 0 ? 1 : 0;
                assertThat(Float.floatToRawIntBits(Vectors.treeSum(stored.clone(), k * lanes))).as("treeSum %d", k)
                        .isEqualTo(Float.floatToRawIntBits(tree[0]));
            }
            Vectors.treeSums16(stored);

            for (int k = 0; k < 16; k++) {
                assertThat(Float.floatToRawIntBits(stored[Vectors.TREE_SUMS + k])).as("vector %d", k)
                        .isEqualTo(Float.floatToRawIntBits(expected[k]));
            }
        }
        // the data tells the orders apart: sums in lane order would have failed above
        assertThat(sequentialDiffers).isPositive();
    }
}
