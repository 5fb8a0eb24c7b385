package io.starling.gguf;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a GGUF file.
 *
 * @param name     the tensor's name, e.g. {@code blk.0.attn_q.weight}
 * @param type     its element encoding
 * @param shape    dimensions in ggml order: {@code shape[0]} (ne0) is the row length, the fastest-varying index
 * @param offset   absolute byte offset of its data in the file
 * @param byteSize bytes its data occupies, {@code type.byteSize(elementCount())}
 * @param data     the zero-copy slice of the file holding the encoded data
 */
public record GgufTensor(String name, GgmlType type, long[] shape, long offset, long byteSize, MemorySegment data) {

    public GgufTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        shape = shape.clone();
        if (shape.length < 1 || shape.length > 4) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + shape.length + " dimensions, ggml allows 1 to 4");
        }
    }

    /** A copy of the dimensions, ne0 first. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int dims() {
        return shape.length;
    }

    /** ne0: elements in one row. */
    public long rowLength() {
        return shape[0];
    }

    /** The product of ne1 and up: how many rows of {@link #rowLength()} elements the tensor holds. */
    public long rowCount() {
        long rows = 1;
        for (int i = 1; i < shape.length; i++) {
            rows *= shape[i];
        }
        return rows;
    }

    public long elementCount() {
        return shape[0] * rowCount();
    }

    /** Compares everything but {@code data}, whose identity depends on how the file was mapped. */
    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensor t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape)
                && offset == t.offset && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape), offset, byteSize);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + " @" + offset + " (" + byteSize + " bytes)";
    }
}
