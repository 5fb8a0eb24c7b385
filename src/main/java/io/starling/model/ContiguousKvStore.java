package io.starling.model;

/**
 * A KV cache laid out as one F16 array per layer for keys and one for values, sized for a fixed number of
 * positions up front: simple and fast for a single sequence, wasteful for many short ones (the paged arena's job).
 *
 * <p>Values are kept as IEEE half floats, llama.cpp's default cache type, which matters for matching its logits.
 */
public final class ContiguousKvStore implements KvStore {

    private final int capacity;
    private final int kvDim;
    private final short[][] keys;
    private final short[][] values;

    public ContiguousKvStore(int layers, int kvDim, int capacity) {
        if (layers <= 0 || kvDim <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("layers, kvDim and capacity must be positive: " + layers + ", " + kvDim
                    + ", " + capacity);
        }
        this.capacity = capacity;
        this.kvDim = kvDim;
        int size = Math.multiplyExact(kvDim, capacity);
        this.keys = new short[layers][size];
        this.values = new short[layers][size];
    }

    /** A store for {@code capacity} positions of a model of this shape. */
    public static ContiguousKvStore forShape(ModelShape shape, int capacity) {
        return new ContiguousKvStore(shape.layers(), shape.kvDim(), capacity);
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int kvDim() {
        return kvDim;
    }

    @Override
    public void write(int layer, int position, float[] key, int keyOffset, float[] value, int valueOffset) {
        checkRange(position, position + 1);
        int base = position * kvDim;
        short[] k = keys[layer];
        short[] v = values[layer];
        for (int i = 0; i < kvDim; i++) {
            k[base + i] = Float.floatToFloat16(key[keyOffset + i]);
            v[base + i] = Float.floatToFloat16(value[valueOffset + i]);
        }
    }

    @Override
    public void readKeys(int layer, int from, int to, float[] dst, int dstOffset) {
        read(keys[layer], from, to, dst, dstOffset);
    }

    @Override
    public void readValues(int layer, int from, int to, float[] dst, int dstOffset) {
        read(values[layer], from, to, dst, dstOffset);
    }

    private void read(short[] src, int from, int to, float[] dst, int dstOffset) {
        checkRange(from, to);
        int start = from * kvDim;
        int count = (to - from) * kvDim;
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = Float.float16ToFloat(src[start + i]);
        }
    }

    private void checkRange(int from, int to) {
        if (from < 0 || to > capacity || from > to) {
            throw new IndexOutOfBoundsException("positions [" + from + ", " + to + ") outside this KV store's capacity "
                    + capacity);
        }
    }
}
