package io.starling.model;

/**
 * The key/value cache of one sequence: for every layer and position, the rotated key and the value of all
 * key/value heads ({@link ModelShape#kvDim()} floats each).
 *
 * <p>Implementations may store values at lower precision; LLaMA models are run with llama.cpp's default F16
 * cache, so a store must at least keep every F16 value exactly. Positions are written in order by the model,
 * always before they are read; what a store does with a position it was never given is its own business.
 */
public interface KvStore {

    /** Positions this store can hold: writes and reads stay below it. */
    int capacity();

    /** Floats per position and layer, for keys and for values alike. */
    int kvDim();

    /**
     * Stores the key and value of {@code position} in {@code layer}, read from {@code key[keyOffset ..]} and
     * {@code value[valueOffset ..]}.
     */
    void write(int layer, int position, float[] key, int keyOffset, float[] value, int valueOffset);

    /** Copies the keys of positions {@code [from, to)} of {@code layer} into {@code dst}, position after position. */
    void readKeys(int layer, int from, int to, float[] dst, int dstOffset);

    /** Copies the values of positions {@code [from, to)} of {@code layer} into {@code dst}, position after position. */
    void readValues(int layer, int from, int to, float[] dst, int dstOffset);
}
