package io.starling.model;

/**
 * Scaled dot-product attention of a run of query tokens over one sequence's KV cache, causal (a token sees its own
 * position and the ones before), with grouped-query heads: query head h reads key/value head {@code h / group}.
 *
 * <p>The arithmetic follows llama.cpp's non-flash CPU path with its default F16 cache: the query and the softmax
 * weights are rounded to F16 before they meet the F16 keys and values (ggml converts the F32 operand of a
 * matrix product to the F16 operand's type), scores and sums accumulate in float. Not thread-safe: it owns its
 * scratch space.
 */
final class CausalAttention {

    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int group;
    private final int queryDim;
    private final int kvDim;
    private final float scale;
    private final float[] query;
    private float[] keys = new float[0];
    private float[] values = new float[0];
    private float[] weights = new float[0];

    CausalAttention(ModelShape shape) {
        this.heads = shape.heads();
        this.kvHeads = shape.kvHeads();
        this.headDim = shape.headDim();
        this.group = shape.groupSize();
        this.queryDim = shape.queryDim();
        this.kvDim = shape.kvDim();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.query = new float[headDim];
    }

    /** The key/value head that query head {@code head} reads. */
    int kvHeadOf(int head) {
        return head / group;
    }

    /**
     * Attends the {@code count} query tokens at positions {@code firstPosition ..} (their rotated queries at
     * {@code q[qOffset ..]}, {@link ModelShape#queryDim()} floats per token) over positions
     * {@code [0, firstPosition + count)} of {@code kv}'s {@code layer}, writing the concatenated head outputs to
     * {@code out[outOffset ..]} in the same layout.
     */
    void attend(KvStore kv, int layer, int firstPosition, int count, float[] q, int qOffset, float[] out, int outOffset) {
        int visibleEnd = firstPosition + count;
        ensureCapacity(visibleEnd);
        kv.readKeys(layer, 0, visibleEnd, keys, 0);
        kv.readValues(layer, 0, visibleEnd, values, 0);
        for (int t = 0; t < count; t++) {
            int visible = firstPosition + t + 1;
            for (int h = 0; h < heads; h++) {
                int kvBase = kvHeadOf(h) * headDim;
                int qBase = qOffset + t * queryDim + h * headDim;
                for (int d = 0; d < headDim; d++) {
                    query[d] = roundToF16(q[qBase + d]);
                }
                scores(visible, kvBase);
                softmaxToF16(visible);
                int outBase = outOffset + t * queryDim + h * headDim;
                weightedValues(visible, kvBase, out, outBase);
            }
        }
    }

    private void scores(int visible, int kvBase) {
        for (int j = 0; j < visible; j++) {
            int k = j * kvDim + kvBase;
            float dot = 0f;
            for (int d = 0; d < headDim; d++) {
                dot += query[d] * keys[k + d];
            }
            weights[j] = dot * scale;
        }
    }

    private void softmaxToF16(int visible) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < visible; j++) {
            max = Math.max(max, weights[j]);
        }
        double sum = 0;
        for (int j = 0; j < visible; j++) {
            float e = (float) Math.exp(weights[j] - max);
            weights[j] = e;
            sum += e;
        }
        float inverse = (float) (1.0 / sum);
        for (int j = 0; j < visible; j++) {
            weights[j] = roundToF16(weights[j] * inverse);
        }
    }

    private void weightedValues(int visible, int kvBase, float[] out, int outBase) {
        for (int d = 0; d < headDim; d++) {
            out[outBase + d] = 0f;
        }
        for (int j = 0; j < visible; j++) {
            float w = weights[j];
            int v = j * kvDim + kvBase;
            for (int d = 0; d < headDim; d++) {
                out[outBase + d] += w * values[v + d];
            }
        }
    }

    private void ensureCapacity(int positions) {
        if (weights.length < positions) {
            int grown = Math.max(positions, weights.length * 2);
            keys = new float[grown * kvDim];
            values = new float[grown * kvDim];
            weights = new float[grown];
        }
    }

    private static float roundToF16(float value) {
        return Float.float16ToFloat(Float.floatToFloat16(value));
    }
}
