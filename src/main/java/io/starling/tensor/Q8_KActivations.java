package io.starling.tensor;

/**
 * Activations quantized to Q8_K as ggml's quantize_row_q8_K_ref (which x86 uses), kept as integer values for the
 * K-quant dots ({@link KQuantDot}): per super-block of 256, iscale = -127 / (the element of largest magnitude),
 * q = min(127, nearest-even(x * iscale)), d = 1 / iscale as a float, and the sums of q over each 16 elements.
 * Integers are needed because ggml's result is d_x * d_y times exact integer sums, rounded once per lane: the
 * rounded float values q * d would not give the same bits.
 *
 * <p>One instance per kernel thread ({@link #local()}), grown to the largest batch seen.
 */
final class Q8_KActivations {
    static final int BLOCK = 256;

    private static final ThreadLocal<Q8_KActivations> LOCAL = ThreadLocal.withInitial(Q8_KActivations::new);

    float[] d = new float[0];
    /** Sum of q over each group of 16, 16 per super-block. */
    int[] bsums = new int[0];
    /** q, the quants, as floats for the vector kernels: integers of at most 127 in magnitude, exact products. */
    float[] qf = new float[0];

    static Q8_KActivations local() {
        return LOCAL.get();
    }

    void quantize(float[] x, int offset, int count) {
        if (count % BLOCK != 0) {
            throw new IllegalArgumentException(count + " values are not whole Q8_K blocks");
        }
        int blocks = count / BLOCK;
        if (qf.length < count) {
            qf = new float[count];
            d = new float[blocks];
            bsums = new int[blocks * 16];
        }
        for (int b = 0; b < blocks; b++) {
            int in = offset + b * BLOCK;
            float max = BlockScan.signedAbsMax(x, in, BLOCK);
            if (max == 0) {
                java.util.Arrays.fill(bsums, b * 16, (b + 1) * 16, 0);
                java.util.Arrays.fill(qf, b * BLOCK, (b + 1) * BLOCK, 0f);
                d[b] = 0f;
                continue;
            }
            float iscale = -127f / max;
            for (int group = 0; group < 16; group++) {
                int sum = 0;
                for (int j = 16 * group; j < 16 * group + 16; j++) {
                    int v = Math.min(127, GgmlRounding.nearestEven(iscale * x[in + j]));
                    qf[b * BLOCK + j] = v;
                    sum += v;
                }
                bsums[b * 16 + group] = sum;
            }
            d[b] = 1 / iscale;
        }
    }
}
