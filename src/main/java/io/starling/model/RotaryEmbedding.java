package io.starling.model;

/**
 * Rotary position embedding with llama.cpp's semantics (ggml's rope op): the first {@code dims} elements of each
 * head are rotated in pairs, pair i by the angle {@code position * freqBase^(-2i/dims)}, divided by an optional
 * per-pair frequency factor (Llama-3's {@code rope_freqs.weight}) and scaled linearly or by YaRN. Elements past
 * {@code dims} pass through unchanged.
 *
 * <p>Not thread-safe: it keeps one position's cos/sin table as scratch.
 */
public final class RotaryEmbedding {

    // YaRN's defaults in llama.cpp (yarn_beta_fast / yarn_beta_slow)
    private static final float YARN_BETA_FAST = 32f;
    private static final float YARN_BETA_SLOW = 1f;

    private final RopeStyle style;
    private final int dims;
    private final int headDim;
    private final float thetaScale;
    private final float freqScale;
    private final float[] freqFactors;
    private final boolean yarn;
    private final float yarnLow;
    private final float yarnHigh;
    private final float[] cos;
    private final float[] sin;

    /**
     * @param freqFactors one divisor per rotated pair ({@code dims / 2} values), or null for none
     */
    public RotaryEmbedding(RopeStyle style, int dims, int headDim, float freqBase, RopeScaling scaling,
                           float[] freqFactors) {
        if (dims <= 0 || dims % 2 != 0 || dims > headDim) {
            throw new IllegalArgumentException("rope dimensions " + dims + " must be even and at most the head size " + headDim);
        }
        if (freqFactors != null && freqFactors.length != dims / 2) {
            throw new IllegalArgumentException("expected " + dims / 2 + " rope frequency factors, got " + freqFactors.length);
        }
        this.style = style;
        this.dims = dims;
        this.headDim = headDim;
        // powf(freq_base, -2.0f/n_dims): the exponent is a float in ggml (-2/80 is not -0.025 exactly)
        this.thetaScale = (float) Math.pow(freqBase, -2.0f / dims);
        this.freqScale = scaling.freqScale();
        this.freqFactors = freqFactors == null ? null : freqFactors.clone();
        this.yarn = scaling.type() == RopeScaling.Type.YARN;
        int originalContext = scaling.originalContextLength();
        this.yarnLow = Math.max(0f, (float) Math.floor(yarnCorrectionDim(dims, originalContext, YARN_BETA_FAST, freqBase)));
        this.yarnHigh = Math.min(dims - 1, (float) Math.ceil(yarnCorrectionDim(dims, originalContext, YARN_BETA_SLOW, freqBase)));
        this.cos = new float[dims / 2];
        this.sin = new float[dims / 2];
    }

    /** The rotary embedding a model's shape and optional {@code rope_freqs.weight} factors ask for. */
    public static RotaryEmbedding of(ModelShape shape, float[] freqFactors) {
        return new RotaryEmbedding(shape.ropeStyle(), shape.ropeDimensions(), shape.headDim(), shape.ropeFreqBase(),
                shape.ropeScaling(), freqFactors);
    }

    /**
     * Rotates {@code heads} consecutive heads of {@code headDim} elements starting at {@code v[offset]} in place,
     * for {@code position}. Call {@link #prepare} for the position first.
     */
    public void rotate(float[] v, int offset, int heads) {
        int half = dims / 2;
        for (int h = 0; h < heads; h++) {
            int base = offset + h * headDim;
            for (int i = 0; i < half; i++) {
                int a = style == RopeStyle.NORMAL ? base + 2 * i : base + i;
                int b = style == RopeStyle.NORMAL ? a + 1 : a + half;
                float x0 = v[a];
                float x1 = v[b];
                // ggml's x0*cos - x1*sin and x0*sin + x1*cos as GCC compiles them for an FMA machine (C's
                // default -ffp-contract=fast): the first product fused, the second rounded. Without the same
                // fusion, keys differ in an ulp now and then and flip F16 cache roundings.
                v[a] = Math.fma(x0, cos[i], -(x1 * sin[i]));
                v[b] = Math.fma(x0, sin[i], x1 * cos[i]);
            }
        }
    }

    /** Computes the angles of {@code position}, used by the following {@link #rotate} calls. */
    public void prepare(int position) {
        // ggml walks the angle down by repeated float multiplication; doing the same keeps us within float
        // rounding of llama.cpp even at long positions
        float theta = position;
        float mscale = 1f;
        if (yarn) {
            mscale *= 1f + 0.1f * (float) Math.log(1.0 / freqScale);
        }
        for (int i = 0; i < dims / 2; i++) {
            float extrapolated = freqFactors == null ? theta : theta / freqFactors[i];
            float angle = freqScale * extrapolated;
            if (yarn) {
                float ramp = yarnRamp(i * 2);
                angle = angle * (1 - ramp) + extrapolated * ramp;
            }
            // glibc's cosf/sinf, as llama.cpp's rope cache uses: Java's Math.cos rounded to float differs in an
            // ulp for about 2% of angles
            cos[i] = GlibcTrig.cosf(angle) * mscale;
            sin[i] = GlibcTrig.sinf(angle) * mscale;
            theta *= thetaScale;
        }
    }

    private float yarnRamp(int i0) {
        float y = (i0 / 2 - yarnLow) / Math.max(0.001f, yarnHigh - yarnLow);
        return 1 - Math.min(1, Math.max(0, y));
    }

    /** The dimension index at which a wavelength makes {@code rotations} turns over the original context. */
    private static float yarnCorrectionDim(int dims, int originalContext, float rotations, float base) {
        return (float) (dims * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(base)));
    }
}
