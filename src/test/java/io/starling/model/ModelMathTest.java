package io.starling.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.starling.tensor.MatMul;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The forward pass's building blocks against their textbook formulas. */
class ModelMathTest {
    /** Two threads: the (token, head) pairs are split over both, so the test covers the split. */
    private static final MatMul POOL = new MatMul(2);

    @AfterAll
    static void closePool() {
        POOL.close();
    }


    private static final RopeScaling NO_SCALING = new RopeScaling(RopeScaling.Type.LINEAR, 1f, 512);

    @Test
    void normalRopeRotatesAdjacentPairs() {
        int headDim = 8;
        int dims = 6; // the last pair passes through
        float[] v = random(2 * headDim, 1);
        float[] expected = v.clone();
        int position = 37;
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < dims / 2; i++) {
                double angle = position * Math.pow(10000, -2.0 * i / dims);
                rotate(expected, h * headDim + 2 * i, h * headDim + 2 * i + 1, angle);
            }
        }
        RotaryEmbedding rope = new RotaryEmbedding(RopeStyle.NORMAL, dims, headDim, 10000f, NO_SCALING, null);
        rope.prepare(position);
        rope.rotate(v, 0, 2);
        assertThat(v).containsExactly(expected, within(1e-5f));
    }

    @Test
    void neoxRopeRotatesElementsHalfADimensionApart() {
        int headDim = 8;
        float[] v = random(headDim, 2);
        float[] expected = v.clone();
        int position = 5;
        for (int i = 0; i < headDim / 2; i++) {
            rotate(expected, i, i + headDim / 2, position * Math.pow(500000, -2.0 * i / headDim));
        }
        RotaryEmbedding rope = new RotaryEmbedding(RopeStyle.NEOX, headDim, headDim, 500000f, NO_SCALING, null);
        rope.prepare(position);
        rope.rotate(v, 0, 1);
        assertThat(v).containsExactly(expected, within(1e-5f));
    }

    @Test
    void frequencyFactorsDivideAndLinearScalingMultipliesTheAngle() {
        int headDim = 4;
        float[] factors = {1f, 8f};
        float[] v = random(headDim, 3);
        float[] expected = v.clone();
        int position = 100;
        float freqScale = 0.25f;
        for (int i = 0; i < 2; i++) {
            double angle = freqScale * position * Math.pow(10000, -2.0 * i / headDim) / factors[i];
            rotate(expected, 2 * i, 2 * i + 1, angle);
        }
        RotaryEmbedding rope = new RotaryEmbedding(RopeStyle.NORMAL, headDim, headDim, 10000f,
                new RopeScaling(RopeScaling.Type.LINEAR, freqScale, 512), factors);
        rope.prepare(position);
        rope.rotate(v, 0, 1);
        assertThat(v).containsExactly(expected, within(1e-5f));
    }

    @Test
    void positionZeroIsTheIdentity() {
        float[] v = random(16, 4);
        float[] original = v.clone();
        RotaryEmbedding rope = new RotaryEmbedding(RopeStyle.NORMAL, 16, 16, 10000f, NO_SCALING, null);
        rope.prepare(0);
        rope.rotate(v, 0, 1);
        assertThat(v).containsExactly(original);
    }

    private static void rotate(float[] v, int a, int b, double angle) {
        double x0 = v[a];
        double x1 = v[b];
        v[a] = (float) (x0 * Math.cos(angle) - x1 * Math.sin(angle));
        v[b] = (float) (x0 * Math.sin(angle) + x1 * Math.cos(angle));
    }

    @Test
    void rmsNormDividesByTheRootMeanSquareAndAppliesTheWeight() {
        float[] x = {0f, 1f, -2f, 3f, 4f};
        float[] weight = {2f, 0.5f, 1f, -1f};
        float[] out = new float[5];
        RmsNorm.apply(x, 1, weight, 1e-5f, out, 1);
        double rms = Math.sqrt((1 + 4 + 9 + 16) / 4.0 + 1e-5);
        assertThat(out).containsExactly(new float[] {0f, (float) (2 / rms), (float) (-1 / rms), (float) (3 / rms),
                (float) (-4 / rms)}, within(1e-6f));
    }

    @Test
    void groupedQueryHeadsShareKeyValueHeadsInConsecutiveGroups() {
        ModelShape shape = shape(8, 2, 4);
        CausalAttention attention = new CausalAttention(shape, POOL);
        assertThat(new int[] {attention.kvHeadOf(0), attention.kvHeadOf(3), attention.kvHeadOf(4), attention.kvHeadOf(7)})
                .containsExactly(0, 0, 1, 1);
    }

    @Test
    void attentionIsACausalSoftmaxOverEachQueryHeadsOwnKeyValueHead() {
        int heads = 4;
        int kvHeads = 2;
        int headDim = 4;
        ModelShape shape = shape(heads, kvHeads, headDim);
        int positions = 3;
        KvStore kv = new ContiguousKvStore(1, kvHeads * headDim, positions);
        float[] keys = f16(random(positions * kvHeads * headDim, 5));
        float[] values = f16(random(positions * kvHeads * headDim, 6));
        for (int p = 0; p < positions; p++) {
            kv.write(0, p, keys, p * kvHeads * headDim, values, p * kvHeads * headDim);
        }
        float[] q = f16(random(2 * heads * headDim, 7)); // queries of positions 1 and 2
        float[] out = new float[q.length];
        new CausalAttention(shape, POOL).attend(kv, 0, 1, 2, q, 0, out, 0);

        for (int t = 0; t < 2; t++) {
            int visible = t + 2;
            for (int h = 0; h < heads; h++) {
                int kvHead = h / (heads / kvHeads);
                double[] weights = new double[visible];
                double sum = 0;
                for (int j = 0; j < visible; j++) {
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) {
                        dot += q[t * heads * headDim + h * headDim + d] * keys[j * kvHeads * headDim + kvHead * headDim + d];
                    }
                    weights[j] = Math.exp(dot / Math.sqrt(headDim));
                    sum += weights[j];
                }
                for (int d = 0; d < headDim; d++) {
                    double expected = 0;
                    for (int j = 0; j < visible; j++) {
                        expected += weights[j] / sum * values[j * kvHeads * headDim + kvHead * headDim + d];
                    }
                    // the softmax weights are F16-rounded as llama.cpp does: relative error up to 2^-11
                    assertThat((double) out[t * heads * headDim + h * headDim + d]).isCloseTo(expected, within(2e-3));
                }
            }
        }
    }

    private static ModelShape shape(int heads, int kvHeads, int headDim) {
        return new ModelShape("llama", heads * headDim, 1, heads, kvHeads, headDim, 8, 16, 64, headDim, 10000f,
                RopeStyle.NORMAL, NO_SCALING, 1e-5f, true);
    }

    private static float[] f16(float[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = Float.float16ToFloat(Float.floatToFloat16(values[i]));
        }
        return values;
    }

    private static float[] random(int n, long seed) {
        Random random = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
