package io.starling.tensor;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The kernels' split Q8_0 activations against the plain scalar rounding llama.cpp's numbers are defined by. */
class Q8ActivationsTest {

    @Test
    void quantsScalesAndRoundedValuesAreTheScalarQ8_0RoundingBitForBit() {
        Random random = new Random(11);
        int cols = 256;
        int batch = 5;
        float[] x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (i % 7) {
                case 0 -> 0f;
                // halves after scaling: with a block maximum of 127, x * 127 / amax is x itself, so .5 ties happen
                case 1 -> (float) (random.nextInt(254) - 127) + 0.5f;
                case 2 -> (float) random.nextGaussian() * 1e-30f;
                default -> (float) random.nextGaussian() * 3;
            };
        }
        for (int b = 0; b < batch * cols / 32; b += 2) {
            x[b * 32 + 5] = 127f; // every other block has amax 127: its ties stay ties after scaling
        }
        java.util.Arrays.fill(x, 64, 96, 0f); // an all-zero block

        Q8Activations activations = new Q8Activations();
        activations.quantize(x, 0, batch, cols, false);
        float[] expected = new float[x.length];
        ActivationRounding.Q8_0.round(x, 0, expected, 0, x.length);

        // numeric equality: a quant rounded to zero may carry either sign of zero (llama.cpp's int8 quants have
        // none), which no sum starting from +0 can tell apart
        for (int i = 0; i < x.length; i++) {
            float value = activations.q[i] * activations.d[i / 32];
            assertThat(value == expected[i]).as("element %d: %s, expected %s", i, value, expected[i]).isTrue();
            assertThat(activations.rounded.getAtIndex(JAVA_FLOAT, i) == expected[i]).as("rounded element %d", i).isTrue();
            assertThat(activations.q[i] == Math.rint(activations.q[i])).as("quant %d is an integer", i).isTrue();
        }
        for (int block = 0; block < x.length / 32; block++) {
            for (int j = 0; j < 16; j++) {
                float pair = activations.q[block * 32 + j] + activations.q[block * 32 + 16 + j];
                assertThat(activations.m[block * 16 + j]).as("block %d, lane %d", block, j).isEqualTo(-8 * pair);
            }
        }
    }

    @Test
    void roundingAndTranspositionInPiecesGiveWhatOnePassGives() {
        Random random = new Random(13);
        int cols = 96;
        int batch = 2 * Vectors.floatLanes() + 3;
        float[] x = new float[batch * cols + 1];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        Q8Activations whole = new Q8Activations();
        whole.quantize(x, 1, batch, cols, false);

        Q8Activations pieces = new Q8Activations();
        pieces.prepare(batch, cols, false);
        int blocks = batch * cols / 32;
        for (int from = blocks; from > 0; from -= 5) { // out of order, as threads may run them
            pieces.roundBlocks(x, 1, Math.max(0, from - 5), from);
        }
        int items = pieces.transposeItems();
        assertThat(items).isEqualTo(2 * cols / 32);
        pieces.transposeBlocks(items / 2, items);
        pieces.transposeBlocks(0, items / 2);

        assertThat(pieces.groups).isEqualTo(whole.groups).isEqualTo(2);
        int n = batch * cols;
        assertThat(java.util.Arrays.copyOf(pieces.q, n)).containsExactly(java.util.Arrays.copyOf(whole.q, n));
        assertThat(pieces.rounded.asSlice(0, n * 4L).toArray(JAVA_FLOAT)).containsExactly(whole.rounded.asSlice(0, n * 4L).toArray(JAVA_FLOAT));
        assertThat(java.util.Arrays.copyOf(pieces.d, blocks)).containsExactly(java.util.Arrays.copyOf(whole.d, blocks));
        int grouped = 2 * Vectors.floatLanes() * cols;
        assertThat(pieces.qt.asSlice(0, grouped * 4L).toArray(JAVA_FLOAT)).containsExactly(whole.qt.asSlice(0, grouped * 4L).toArray(JAVA_FLOAT));
        assertThat(java.util.Arrays.copyOf(pieces.dt, grouped / 32)).containsExactly(java.util.Arrays.copyOf(whole.dt, grouped / 32));
    }

    @Test
    void roundedValuesAndTokenLanesStartOnACacheLineAfterEveryGrowth() {
        Q8Activations activations = new Q8Activations();
        for (int batch : new int[] {1, 70, 300}) {
            activations.quantize(new float[batch * 64], 0, batch, 64, false);
            assertThat(activations.rounded.address() % 64).as("batch %d", batch).isZero();
            assertThat(batch < Vectors.floatLanes() || activations.qt.address() % 64 == 0).as("token lanes, batch %d", batch).isTrue();
            assertThat(activations.rounded.byteSize()).isGreaterThanOrEqualTo(batch * 64L * Float.BYTES);
        }
    }
}
