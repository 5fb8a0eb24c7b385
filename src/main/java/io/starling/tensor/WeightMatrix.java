package io.starling.tensor;

import io.starling.gguf.GgufTensor;
import java.lang.foreign.MemorySegment;

/**
 * A 2-D weight tensor as the forward pass sees it: {@code rows} output features, each a row of {@code cols}
 * elements stored contiguously in one block format (ggml shape {@code [cols, rows]}), read in place from the
 * mapped file.
 */
public record WeightMatrix(String name, BlockFormat format, MemorySegment data, int rows, int cols) {

    public WeightMatrix {
        if (rows <= 0 || cols <= 0 || cols % format.blockSize() != 0) {
            throw new IllegalArgumentException(name + ": " + rows + " rows of " + cols + " " + format.type()
                    + " elements is not a whole number of blocks per row");
        }
        if (data.byteSize() != rowBytes(format, cols) * rows) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for " + rows + " rows of "
                    + rowBytes(format, cols));
        }
    }

    /** Binds a 2-D GGUF tensor. */
    public static WeightMatrix of(GgufTensor tensor) {
        if (tensor.dims() != 2) {
            throw new IllegalArgumentException(tensor.name() + " is not a matrix: " + tensor.dims() + " dimensions");
        }
        return new WeightMatrix(tensor.name(), BlockFormats.of(tensor.type()), tensor.data(),
                Math.toIntExact(tensor.shape()[1]), Math.toIntExact(tensor.shape()[0]));
    }

    /** Bytes one row occupies. */
    public long rowBytes() {
        return rowBytes(format, cols);
    }

    /** Byte offset of row {@code row} in {@link #data()}. */
    public long rowOffset(int row) {
        return row * rowBytes();
    }

    /** Decodes row {@code row} into {@code dst[dstOffset .. dstOffset + cols)}. */
    public void dequantizeRow(int row, float[] dst, int dstOffset) {
        format.dequantize(data, rowOffset(row), dst, dstOffset, cols);
    }

    private static long rowBytes(BlockFormat format, int cols) {
        return (long) (cols / format.blockSize()) * format.bytesPerBlock();
    }
}
