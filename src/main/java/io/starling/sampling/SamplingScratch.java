package io.starling.sampling;

/**
 * The vocabulary-sized work arrays of sampling. A sampler only needs them while it samples, so every sampler driven
 * by one thread (an engine loop) shares one set: a running sequence then costs its token window, not ~800 KB per
 * 32K-token vocabulary. Not thread-safe.
 */
public final class SamplingScratch {

    final int vocabSize;
    final float[] work;
    final long[] keys;
    final int[] candidates;
    final double[] probabilities;
    final boolean[] penalised;

    public SamplingScratch(int vocabSize) {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabulary size must be positive, got " + vocabSize);
        }
        this.vocabSize = vocabSize;
        this.work = new float[vocabSize];
        this.keys = new long[vocabSize];
        this.candidates = new int[vocabSize];
        this.probabilities = new double[vocabSize];
        this.penalised = new boolean[vocabSize];
    }

    public int vocabSize() {
        return vocabSize;
    }
}
