package io.starling.tensor;

/** The per-block extremes ggml's reference quantizers derive their scales from. */
final class BlockScan {
    private BlockScan() {
    }

    /**
     * The element of largest magnitude, sign included; the first one wins a tie between +a and -a, as in ggml,
     * because the sign decides which end of the quant range the block's scale maps it to.
     */
    static float signedAbsMax(float[] x, int from, int count) {
        float amax = 0;
        float max = 0;
        for (int i = from; i < from + count; i++) {
            float magnitude = Math.abs(x[i]);
            if (amax < magnitude) {
                amax = magnitude;
                max = x[i];
            }
        }
        return max;
    }

    static float min(float[] x, int from, int count) {
        float min = Float.MAX_VALUE;
        for (int i = from; i < from + count; i++) {
            if (x[i] < min) {
                min = x[i];
            }
        }
        return min;
    }

    static float max(float[] x, int from, int count) {
        float max = -Float.MAX_VALUE;
        for (int i = from; i < from + count; i++) {
            if (x[i] > max) {
                max = x[i];
            }
        }
        return max;
    }
}
