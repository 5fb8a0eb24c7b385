package io.starling.model;

/** Root-mean-square normalisation, computed as ggml's rms_norm followed by the weight multiply. */
public final class RmsNorm {

    private RmsNorm() {
    }

    /**
     * {@code out[outOffset + i] = x[offset + i] / sqrt(mean(x²) + eps) * weight[i]} for i in [0, weight.length).
     * {@code out} may be {@code x} at the same offset.
     */
    public static void apply(float[] x, int offset, float[] weight, float eps, float[] out, int outOffset) {
        int n = weight.length;
        // ggml sums the squares in double; the float products stay float as in its loop
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float v = x[offset + i];
            sum += v * v;
        }
        // as ggml: the mean is rounded to float, eps added in float, then sqrtf (a float's double square root
        // rounded to float is sqrtf's correctly rounded result)
        float mean = (float) (sum / n);
        float scale = 1f / (float) Math.sqrt(mean + eps);
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = x[offset + i] * scale * weight[i];
        }
    }
}
